#!/usr/bin/env bash
# scripts/setup.sh: installs the Debian 12 packages that archiver's build, tests and books need.
# Idempotent: when everything is already installed it changes nothing and returns at once.
set -euo pipefail

PACKAGES=(
    # build
    build-essential cmake pkg-config
    libcurl4-openssl-dev libgumbo-dev libzip-dev libcairo2-dev libpango1.0-dev
    libcmark-dev libjansson-dev libgdk-pixbuf-2.0-dev webp-pixbuf-loader zlib1g-dev libfontconfig-dev
    # book fonts
    fonts-noto-cjk fonts-dejavu-core fonts-symbola
    # tests
    libcmocka-dev libxml2-utils python3 openssl
    epubcheck default-jre-headless poppler-utils qpdf mupdf-tools
    imagemagick webp clang libclang-rt-14-dev clang-format chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
