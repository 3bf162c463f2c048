#!/usr/bin/env bash
# Run a command with a private, empty /dev/shm, and fail if it leaves
# anything there: a POSIX semaphore (sem.mp-*) or a shared-memory block that
# no process unlinked. Used by `make nbval`, because a notebook run that leaks
# would fill a reader's /dev/shm one run at a time.
#
#   tests/private_shm.sh COMMAND [ARG...]
#
# It needs root and unshare(1) (util-linux) to mount the private tmpfs; as
# another user it runs COMMAND as it is and says that nothing was checked.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: tests/private_shm.sh COMMAND [ARG...]" >&2; exit 2; }
if [ "${MULTICORE_GUIDE_IN_PRIVATE_SHM:-}" = 1 ]; then
    # first make this namespace's /dev/shm private, so that the tmpfs below
    # never propagates to the machine's; then cover it with an empty tmpfs
    mount --make-private /dev/shm || { echo "private_shm.sh: cannot make /dev/shm private" >&2; exit 2; }
    mount -t tmpfs -o mode=1777 private-shm /dev/shm
    status=0
    "$@" || status=$?
    # a resource tracker unlinks what its process left when that process
    # exits; give the last one a moment (PRIVATE_SHM_WAIT seconds) to finish
    for _ in $(seq $((2 * ${PRIVATE_SHM_WAIT:-10}))); do
        [ -z "$(ls -A /dev/shm)" ] && break
        sleep 0.5
    done
    left=$(ls -A /dev/shm)
    if [ -n "$left" ]; then
        echo "private_shm.sh: the run left $(echo "$left" | wc -l) entries in /dev/shm:" >&2
        echo "$left" | head -n 20 | sed 's/^/  /' >&2
        [ "$status" -ne 0 ] || status=1
    else
        echo "private_shm.sh: /dev/shm is empty after the run"
    fi
    exit "$status"
fi
# --propagation unchanged: the default (private) remounts /, which fails in a
# chroot, where / is no mount point (.ci/newer-python)
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && unshare -m --propagation unchanged true 2>/dev/null; then
    exec env MULTICORE_GUIDE_IN_PRIVATE_SHM=1 unshare -m --propagation unchanged "$0" "$@"
fi
echo "private_shm.sh: not root (or no unshare), so /dev/shm is not checked for leftovers" >&2
exec "$@"
