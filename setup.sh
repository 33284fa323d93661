#!/bin/sh
# Installs the Debian packages that journal needs to build, run and test.
# Idempotent: packages already present are not touched, and apt is only
# called when something is missing.
set -eu

PACKAGES="
build-essential cmake pkg-config
libhpdf-dev libcmark-dev libxml2-dev libyaml-dev libhyphen-dev hyphen-de hyphen-en-us
libfontconfig-dev libharfbuzz-dev libpng-dev libjpeg-dev libqrencode-dev
fonts-noto-core fonts-dejavu-core libgs-common
poppler-utils qpdf libxml2-utils python3-feedparser ghostscript newsboat valgrind
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
