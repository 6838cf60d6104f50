#!/usr/bin/env bash
# Debian packages the checks need, installed only when missing:
# - chromium: the browser that tests/test_book.py drives through Playwright (never `playwright install`);
# - dataset-fashion-mnist: Fashion-MNIST in /usr/share/datasets/fashion-mnist, read offline by
#   vaelib.load_fashion_mnist (a real reader gets it downloaded by torchvision instead).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages already installed"
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
