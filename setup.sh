#!/bin/sh
# Installs the Debian packages that journal needs to build, run and test.
# texlive-base is here only for its FOGRA39 CMYK profile (the print PDF's
# output intent); libgs-common gives the sRGB profile.
# Idempotent: packages already present are not touched, and apt is only
# called when something is missing.
set -eu

PACKAGES="
build-essential cmake pkg-config clang libclang-rt-14-dev
libhpdf-dev libcmark-dev libxml2-dev libyaml-dev libhyphen-dev hyphen-de hyphen-en-us
libfontconfig-dev libharfbuzz-dev libpng-dev libjpeg-dev libqrencode-dev
fonts-noto-core fonts-dejavu-core libgs-common texlive-base locales
libdeflate-dev
poppler-utils qpdf libxml2-utils python3-feedparser python3-yaml ghostscript newsboat valgrind
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

# A German locale, so that tests can prove numbers in PDF and XML never take
# a decimal comma.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    if [ -f /etc/locale.gen ] && [ "$(id -u)" -eq 0 ]; then
        sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
        grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' >>/etc/locale.gen
        locale-gen >/dev/null
    fi
fi
