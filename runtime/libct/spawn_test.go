package libct_test

func spawnHook() {}
