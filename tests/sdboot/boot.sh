#!/bin/sh
# Boots a throwaway systemd as PID 1 of new pid/mount/uts/ipc/net/cgroup
# namespaces (package sdboot runs it; see sdboot.go). The root is an overlay
# of / whose upper layer is a tmpfs, so the host's files are untouched.
#
# Environment: CG (cgroup name to make in each hierarchy; the caller removes
# them), BINDS (space-separated host dirs bound at the same path inside),
# CONSOLE_FILE (systemd's console output).
set -e
if [ -z "$SDBOOT_INNER" ]; then
  for c in cpu cpuacct cpuset memory devices freezer blkio pids systemd unified; do
    [ -d /sys/fs/cgroup/$c ] || continue
    mkdir -p /sys/fs/cgroup/$c/$CG
    if [ $c = cpuset ]; then
      cat /sys/fs/cgroup/cpuset/cpuset.cpus > /sys/fs/cgroup/cpuset/$CG/cpuset.cpus
      cat /sys/fs/cgroup/cpuset/cpuset.mems > /sys/fs/cgroup/cpuset/$CG/cpuset.mems
    fi
    echo $$ > /sys/fs/cgroup/$c/$CG/cgroup.procs
  done
  export SDBOOT_INNER=1 CG
  exec unshare --pid --fork --mount --uts --ipc --net --cgroup /bin/sh "$0" "$@"
fi
B=/tmp/sdboot-$CG; R=$B/root
mount --make-rprivate /
mkdir -p $B; mount -t tmpfs tmpfs $B; mkdir -p $B/upper $B/work $R
mount -t overlay overlay -o lowerdir=/,upperdir=$B/upper,workdir=$B/work $R
mount -t proc proc $R/proc; mount -t sysfs sysfs $R/sys; mount -t tmpfs -o mode=755,nosuid tmpfs $R/dev
mkdev() { mknod -m 666 $R/dev/$1 c $2 $3; }
mkdev null 1 3; mkdev zero 1 5; mkdev full 1 7; mkdev random 1 8; mkdev urandom 1 9; mkdev tty 5 0
touch $R/dev/console; mount --bind ${CONSOLE_FILE:-/dev/null} $R/dev/console
mkdir -p $R/dev/pts $R/dev/shm; ln -s pts/ptmx $R/dev/ptmx
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts $R/dev/pts
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs $R/run; mount -t tmpfs tmpfs $R/tmp
mount -t tmpfs -o mode=755 tmpfs $R/sys/fs/cgroup
for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
  [ -d /sys/fs/cgroup/$c ] || continue
  mkdir $R/sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup $R/sys/fs/cgroup/$c
done
mkdir $R/sys/fs/cgroup/systemd; mount -t cgroup -o none,name=systemd cgroup $R/sys/fs/cgroup/systemd
if [ -d /sys/fs/cgroup/unified ]; then
  mkdir $R/sys/fs/cgroup/unified; mount -t cgroup2 cgroup2 $R/sys/fs/cgroup/unified
fi
for b in $BINDS; do mkdir -p $R$b; mount --bind $b $R$b; done
# Services enabled on the host image that must not start in the test instance.
for u in postgresql.service e2scrub_reap.service console-getty.service; do
  ln -sf /dev/null $R/etc/systemd/system/$u
done
mkdir -p $R/.oldroot; cd $R; pivot_root . .oldroot; umount -l /.oldroot; rmdir /.oldroot
export container=saturn-test
exec /lib/systemd/systemd --system </dev/null >/dev/console 2>&1
