package project

import (
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The com.docker.compose.* labels Docker Compose puts on what it creates;
// berth sets the same ones so that tooling reading them works unchanged.
const (
	LabelProject         = "com.docker.compose.project"
	LabelService         = "com.docker.compose.service"
	LabelContainerNumber = "com.docker.compose.container-number"
	LabelConfigHash      = "com.docker.compose.config-hash"
	LabelOneoff          = "com.docker.compose.oneoff"
	LabelVersion         = "com.docker.compose.version"
	LabelWorkingDir      = "com.docker.compose.project.working_dir"
	LabelConfigFiles     = "com.docker.compose.project.config_files"
	LabelEnvironmentFile = "com.docker.compose.project.environment_file"
	LabelNetwork         = "com.docker.compose.network"
	LabelVolume          = "com.docker.compose.volume"
	LabelDependsOn       = "com.docker.compose.depends_on"
	LabelImage           = "com.docker.compose.image"
)

// ComposeVersion is the Docker Compose version berth's behaviour follows;
// it is the value of the com.docker.compose.version label.
const ComposeVersion = "5.6.0"

// ServiceLabels are the labels every container of service name carries
// besides the service's own (Docker Compose's CustomLabels).
func ServiceLabels(p *types.Project, name string, envFiles []string) map[string]string {
	labels := map[string]string{
		LabelProject:     p.Name,
		LabelService:     name,
		LabelVersion:     ComposeVersion,
		LabelWorkingDir:  p.WorkingDir,
		LabelConfigFiles: strings.Join(p.ComposeFiles, ","),
		LabelOneoff:      "False",
	}
	if len(envFiles) != 0 {
		labels[LabelEnvironmentFile] = strings.Join(envFiles, ",")
	}
	return labels
}

// ContainerLabels are the labels of replica number of service s: its own
// labels, the project's, its config hash and its dependencies.
func ContainerLabels(s types.ServiceConfig, number int, hash string) map[string]string {
	labels := make(map[string]string, len(s.Labels)+len(s.CustomLabels)+3)
	for k, v := range s.Labels {
		labels[k] = v
	}
	for k, v := range s.CustomLabels {
		labels[k] = v
	}
	labels[LabelContainerNumber] = strconv.Itoa(number)
	labels[LabelConfigHash] = hash
	labels[LabelDependsOn] = dependsOnLabel(s)
	return labels
}

// dependsOnLabel encodes depends_on as Docker Compose does:
// "name:condition:restart" entries, sorted, comma-separated.
func dependsOnLabel(s types.ServiceConfig) string {
	entries := make([]string, 0, len(s.DependsOn))
	for name, dep := range s.DependsOn {
		entries = append(entries, name+":"+dep.Condition+":"+strconv.FormatBool(dep.Restart))
	}
	sort.Strings(entries)
	return strings.Join(entries, ",")
}

// ContainerName is the name of replica number of service s in project, as
// Docker Compose names it: container_name when set, otherwise
// <project>-<service>-<number>.
func ContainerName(project string, s types.ServiceConfig, number int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return project + "-" + s.Name + "-" + strconv.Itoa(number)
}

// ResourceName is the name of a project's network or volume without an
// explicit name: <project>_<key>.
func ResourceName(project, key string) string {
	return project + "_" + key
}
