// The shell script that does every file operation inside the engine, as the slot user (uid 1000):
// in the running slot through Docker exec, or in a throwaway helper container that has only the
// slot's home mounted (docker-files.ts). POSIX sh with tools both busybox (berth/tiny) and Debian's
// coreutils (berth/workspace) have: cd -P, readlink, stat -c, dd iflag=skip_bytes, mv -T, tar.
//
// Paths arrive as the operation's arguments (never pasted into the script), home-relative, checked by
// parseSlotPath (no "..", no NUL). What the script adds is the part only the inside can check:
// symbolic links. The rule is "resolve, pin, then check what was pinned":
//  - a folder is entered with `cd -P` (following links), then where we really are (getcwd) must be
//    inside the home (the script's first argument: HOME_DIR). `cd -P` sets $PWD to getcwd()'s
//    answer in dash and busybox ash (the very string `pwd -P` prints: both print what cd stored),
//    so $PWD is read rather than forking a subshell for "$(pwd -P)" at each step. From then on "."
//    is that folder's inode: swapping a link into the path afterwards changes nothing, and a rename
//    can only move it within the home's own mount (rename across mounts fails), so it stays inside;
//  - a file is opened first, then /proc/$$/fd/N (what was really opened) must be inside the home;
//    nothing is read before that check;
//  - the last component is acted on without following it: rm and mv act on a link itself, a new
//    file is created with noclobber (O_EXCL: a link planted at its name fails the open);
//  - a second folder (move's destination) is pinned as fd 4 and named /proc/$$/fd/4/<name>.
// The only races left are within the slot user's own reach (their processes changing their own
// files while busybox rm -r or tar walk them), never the host's: the script has no privilege the
// slot's user lacks, and sees no file but the slot's (or, in a helper, a read-only busybox).
//
// The operation and its arguments come on stdin, not in argv, so that the script can be started
// before it is needed (docker-files.ts keeps one started per container: starting an exec costs
// 0.1–0.4 s): a count, then per argument its number of lines and those lines (a name may hold a
// newline, never NUL). Stdin ending first is a spare that was never used: it exits quietly. What
// follows on stdin is the operation's own (a write's bytes, a read's range).
//
// Failures: "berth-files:<CODE>[:detail]" on stderr and exit status 3 (docker-files.ts maps CODE).
export const FILES_SCRIPT = String.raw`
set -f
unset CDPATH
umask 022
H=$1; shift
fail() { printf 'berth-files:%s:%s\n' "$1" "$2" >&2; exit 3; }
inside() { case "$1" in "$H"|"$H"/*) return 0 ;; esac; return 1; }
# pin DIR: make the home-relative folder DIR ("" = the home) the working directory, checked.
pin() {
  if ! cd -P -- "$H/$1" 2>/dev/null; then
    if [ -d "$H/$1" ]; then fail EACCES; elif [ -e "$H/$1" ] || [ -L "$H/$1" ]; then fail ENOTDIR; else fail ENOENT; fi
  fi
  inside "$PWD" || fail EOUTSIDE
}
# mkdirs DIR: pin, making each missing folder on the way, one component at a time.
mkdirs() {
  pin ""
  _ifs=$IFS; IFS=/; set -- $1; IFS=$_ifs
  for c in "$@"; do
    [ -z "$c" ] && continue
    if [ ! -e "./$c" ] && [ ! -L "./$c" ]; then
      e=$(mkdir -- "./$c" 2>&1) || [ -d "./$c" ] || fail EMKDIR "$e"
    fi
    cd -P -- "./$c" 2>/dev/null || { if [ -d "./$c" ]; then fail EACCES; else fail ENOTDIR; fi; }
    inside "$PWD" || fail EOUTSIDE
  done
}
exists() { [ -e "./$1" ] || [ -L "./$1" ]; }
realdir() { [ -d "./$1" ] && [ ! -L "./$1" ]; }
# missed PATTERN WORD: WORD is PATTERN left as itself by a glob that matched nothing (a file of
# that name would have matched it, so an existing one is a real match).
missed() { [ "$1" = "$2" ] && [ ! -e "$2" ] && [ ! -L "$2" ]; }
# The operation: read builtin by builtin (read takes one byte at a time from a pipe, so nothing
# after the arguments is consumed).
IFS= read -r n || exit 0
case "$n" in [0-9]|1[0-9]) ;; *) fail EINVAL "malformed operation" ;; esac
set --
while [ "$#" -lt "$n" ]; do
  IFS= read -r k || fail EINVAL "malformed operation"
  case "$k" in [1-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]) ;; *) fail EINVAL "malformed operation" ;; esac
  IFS= read -r a || fail EINVAL "malformed operation"
  while [ "$k" -gt 1 ]; do
    IFS= read -r l || fail EINVAL "malformed operation"
    a="$a
$l"
    k=$((k - 1))
  done
  set -- "$@" "$a"
done
op=$1; shift
case "$op" in
list) # list DIR LIMIT → "count total\n", count stat lines, then count NUL-terminated names
  pin "$1"; limit=$2
  # Each pattern is globbed in front of the names so far (one copy of the list each): appending
  # name by name copied the list every time (20,000 names: ~23 s in dash and busybox sh, now ~0.3 s).
  set +f
  set -- ./..?*; missed './..?*' "${"$"}{1-}" && shift
  set -- ./.[!.]* "$@"; missed './.[!.]*' "$1" && shift
  set -- ./* "$@"; missed './*' "$1" && shift
  set -f
  total=$#
  # The first LIMIT names, picked by one eval of "${"$"}{1}" "${"$"}{2}" … rather than copied one by one.
  [ "$total" -gt "$limit" ] && eval "set -- $(i=1; while [ "$i" -le "$limit" ]; do printf '"${"$"}{%d}" ' "$i"; i=$((i + 1)); done)"
  printf '%s %s\n' "$#" "$total"
  [ "$#" -eq 0 ] && exit 0
  out=$(stat -c '%f %s %Y' -- "$@" 2>/dev/null) || out=$(for f in "$@"; do stat -c '%f %s %Y' -- "$f" 2>/dev/null || echo '0 0 0'; done)
  printf '%s\n' "$out"
  for f in "$@"; do printf '%s\000' "${"$"}{f#./}"; done
  ;;
stat) # stat DIR NAME ("" NAME: the home itself)
  pin "$1"
  if [ -z "$2" ]; then stat -c '%f %s %Y' .; exit 0; fi
  exists "$2" || fail ENOENT
  stat -c '%f %s %Y' -- "./$2"
  ;;
read) # read DIR NAME → "ok size mtime\n", then waits for "start length\n" on stdin and sends those bytes
  pin "$1"
  if [ ! -f "./$2" ]; then realdir "$2" && fail EISDIR; exists "$2" || fail ENOENT; [ -d "./$2" ] && fail EISDIR; fail EINVAL "not a regular file"; fi
  { command exec 3< "./$2"; } 2>/dev/null || fail EACCES
  inside "$(readlink "/proc/$$/fd/3")" || fail EOUTSIDE
  [ -f "/proc/$$/fd/3" ] || fail EINVAL "not a regular file"
  printf 'ok %s\n' "$(stat -L -c '%s %Y' "/proc/$$/fd/3")"
  read -r start length || exit 0
  [ "$start" = close ] && exit 0
  exec dd bs=262144 iflag=skip_bytes,count_bytes skip="$start" count="$length" <&3 2>/dev/null
  ;;
write) # write DIR NAME TMP SIZE < bytes → "ok size\n"
  mkdirs "$1"; n=$2; t=$3; size=$4
  realdir "$n" && fail EISDIR
  trap 'rm -f -- "./$t"' EXIT
  trap 'exit 3' HUP INT TERM PIPE
  set -C
  { command exec 3> "./$t"; } 2>/dev/null || { [ -w . ] || fail EACCES; fail EWRITE "cannot create the temporary file"; }
  set +C
  [ "$(readlink "/proc/$$/fd/3")" = "$PWD/$t" ] || fail EOUTSIDE
  # dd with a large block: busybox cat copies 4 KiB at a time.
  e=$(dd bs=1048576 2>&1 >&3) || fail EWRITE "$e"
  got=$(stat -L -c %s "/proc/$$/fd/3")
  [ "$got" = "$size" ] || fail ESHORT "$got of $size bytes"
  exec 3>&-
  e=$(mv -f -T -- "./$t" "./$n" 2>&1) || { realdir "$n" && fail EISDIR; fail EWRITE "$e"; }
  trap - EXIT
  printf 'ok %s\n' "$got"
  ;;
place) # place DIR NAME TMP SIZE; "go\n" on stdin once Berth has written the bytes to $H/TMP → "ok size\n"
  # (docker-files.ts writeStaged: Berth writes TMP from the host, at the home's top, under a fresh
  # name; the file is moved into place here, as the slot user, through the pinned folder.)
  case "$3" in */*) fail EINVAL "malformed operation" ;; .berth-upload-*) ;; *) fail EINVAL "malformed operation" ;; esac
  mkdirs "$1"; n=$2; t=$3; size=$4
  realdir "$n" && fail EISDIR
  IFS= read -r go || exit 0
  [ "$go" = go ] || exit 0
  # Berth made TMP as a regular file; anything else there now is the slot user's own doing.
  { [ -f "$H/$t" ] && [ ! -L "$H/$t" ]; } || fail ESHORT "the upload's file is gone"
  got=$(stat -c %s "$H/$t")
  [ "$got" = "$size" ] || fail ESHORT "$got of $size bytes"
  e=$(mv -f -T -- "$H/$t" "./$n" 2>&1) || { realdir "$n" && fail EISDIR; fail EWRITE "$e"; }
  printf 'ok %s\n' "$got"
  ;;
mkdir) # mkdir DIR → the stat line of the folder
  mkdirs "$1"; stat -c '%f %s %Y' .
  ;;
move) # move SDIR SNAME DDIR DNAME OVERWRITE(0|1) → the stat line of what is now at the destination
  pin "$3"; exec 4< .; dest=$PWD
  pin "$1"; src=$PWD
  exists "$2" || fail ENOENT
  if [ -e "/proc/$$/fd/4/$4" ] || [ -L "/proc/$$/fd/4/$4" ]; then
    [ "$src/$2" = "$dest/$4" ] && { stat -c '%f %s %Y' -- "./$2"; exit 0; }
    [ "$5" = 1 ] || fail EEXIST
  fi
  if realdir "$2"; then case "$dest/" in "$src/$2/"*) fail EINVAL "a folder cannot move into itself" ;; esac; fi
  e=$(mv -f -T -- "./$2" "/proc/$$/fd/4/$4" 2>&1) || fail EMOVE "$e"
  stat -c '%f %s %Y' -- "/proc/$$/fd/4/$4"
  ;;
delete) # delete DIR NAME RECURSIVE(0|1)
  pin "$1"
  exists "$2" || fail ENOENT
  if realdir "$2"; then
    [ "$3" = 1 ] || fail EISDIR
    e=$(rm -rf -- "./$2" 2>&1) || fail EDELETE "$e"
  else
    e=$(rm -f -- "./$2" 2>&1) || fail EDELETE "$e"
  fi
  ;;
archive) # archive DIR NAME GZIP(0|1) ("" "": the home) → "ok\n", then a tar of the folder's contents (links stored as links, never followed)
  pin "$1"
  if [ -n "$2" ]; then
    realdir "$2" || { exists "$2" || fail ENOENT; fail ENOTFOLDER; }
    pin "$1/$2"
  fi
  echo ok
  if [ "$3" = 1 ]; then exec tar -czf - .; else exec tar -cf - .; fi
  ;;
usage) # usage → kilobytes the home takes
  pin ""; du -sk . | { read -r k _; echo "$k"; }
  ;;
rmtemp) # rmtemp DIR TMP: the leftover of a write that could not clean up after itself
  pin "$1"
  case "$2" in .berth-upload-*) rm -f -- "./$2" ;; esac
  ;;
*) fail EINVAL "unknown operation" ;;
esac
`;
