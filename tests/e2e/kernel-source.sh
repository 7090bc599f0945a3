# Sourced by the e2e scripts: where Debian's linux-source-VERSION tarball is.
# kernel_source VERSION prints it, or says what to install and returns 1:
# /usr/src/linux-source-VERSION.tar.xz (the machine's suite), else where
# .ci/setup --tests unpacks a newer suite's package (bench/debian-suite-fetch.sh).
kernel_source() {
  local c
  for c in "/usr/src/linux-source-$1.tar.xz" "/var/cache/kasd-ci/linux-source-$1/usr/src/linux-source-$1.tar.xz"; do
    [ -f "$c" ] && { echo "$c"; return 0; }
  done
  echo "no linux-source-$1.tar.xz: apt-get install linux-source-$1 (a newer suite's: .ci/setup --tests)" >&2
  return 1
}
