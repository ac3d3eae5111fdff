#!/bin/sh
# Registry interoperability: a package pushed to a real registry (Debian's
# docker-registry) with skopeo and pulled back as an OCI layout comes back,
# once its detached envelope is carried in, as the same bytes, and verifies.
#
# Needs skopeo and docker-registry (apt-get install skopeo docker-registry);
# skipped (exit 77) when they are missing. Starts its own registry on
# 127.0.0.1 on a free port and stops it on exit.
#
# SPDX-License-Identifier: Apache-2.0
set -eu
tool="$1"
command -v skopeo >/dev/null 2>&1 || { echo "skopeo not installed: skipped"; exit 77; }
command -v docker-registry >/dev/null 2>&1 || { echo "docker-registry not installed: skipped"; exit 77; }
py="${MLOPS_PYTHON:-python3}"

work=$(mktemp -d /tmp/mlops-registry-XXXXXX)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
cat > "$work/config.yml" <<CFG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
CFG
docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
pid=$!
i=0
until "$py" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v2/')" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 50 ] || { cat "$work/registry.log"; exit 1; }; sleep 0.2
done

# a model: a large file (a raw layer) and small files (a tar layer)
mkdir -p "$work/model/sub"
head -c 1500000 /dev/urandom > "$work/model/weights.bin"
echo '{"threshold": 0.7}' > "$work/model/config.json"
echo 'notes' > "$work/model/sub/notes.md"
seed=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
pub=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
SOURCE_DATE_EPOCH=1700000000 "$tool" pack "$work/m.mlpkg" "$work/model" fraud 1.4.0 "$seed"

skopeo copy --quiet --dest-tls-verify=false \
    "oci-archive:$work/m.mlpkg:1.4.0" "docker://127.0.0.1:$port/models/fraud:1.4.0"
skopeo copy --quiet --src-tls-verify=false \
    "docker://127.0.0.1:$port/models/fraud:1.4.0" "oci:$work/pulled:1.4.0"

# the signature travels detached: take the envelope out of the original package
"$py" - "$work/m.mlpkg" "$work/m.sig" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
get = lambda n: t.extractfile(n).read()
ix = json.loads(get("index.json"))
ref = json.loads(get("blobs/sha256/" + ix["manifests"][1]["digest"][7:]))
open(sys.argv[2], "wb").write(get("blobs/sha256/" + ref["layers"][0]["digest"][7:]))
PY

SOURCE_DATE_EPOCH=1700000000 "$tool" from-layout "$work/pulled" 1.4.0 "$work/m.sig" "$work/back.mlpkg"
cmp "$work/m.mlpkg" "$work/back.mlpkg"
"$tool" verify "$work/back.mlpkg" "$pub"
echo "registry round trip: identical bytes, verified"
