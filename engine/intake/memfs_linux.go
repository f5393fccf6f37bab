package intake

import "syscall"

// tmpfsMagic is Linux's file system type of tmpfs and ramfs-like mounts.
const tmpfsMagic = 0x01021994

// OnMemoryFS reports whether dir is on a file system held in memory, where
// a journal does not survive a reboot.
func OnMemoryFS(dir string) bool {
	var fs syscall.Statfs_t
	return syscall.Statfs(dir, &fs) == nil && fs.Type == tmpfsMagic
}
