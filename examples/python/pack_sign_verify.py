#!/usr/bin/env python3
"""Pack a model directory, sign it, verify it, and extract it safely.

    python3 examples/python/pack_sign_verify.py MODEL_DIR OUT_DIR

Writes OUT_DIR/signing-key.pem (a new Ed25519 key unless one is there),
OUT_DIR/<name>-<version>.mlpkg, then verifies the package against the public
key only and extracts it to OUT_DIR/extracted.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import libmlops as mlops


def main(model_dir: Path, out_dir: Path, name: str = "demo-model", version: str = "1.0.0") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    key_file = out_dir / "signing-key.pem"
    if key_file.exists():
        key = mlops.SigningKey.from_file(key_file)
    else:
        key = mlops.SigningKey.generate()
        key_file.write_text(key.private_pem())
        key_file.chmod(0o600)
    public = mlops.SigningKey.from_pem(key.public_pem())  # what a consumer holds

    manifest = (mlops.ManifestBuilder(name, version, datetime.now(timezone.utc).replace(microsecond=0))
                .description("packed by examples/python/pack_sign_verify.py")
                .metric("auc", 0.91))
    package_path = out_dir / f"{name}-{version}.mlpkg"
    package = mlops.Package.pack(package_path, manifest, directories=[(model_dir, "model")],
                                 keys=[key], overwrite=True,
                                 progress=lambda done, total: None)
    report = package.verify(public)
    print(f"{package_path}: {report}")
    for f in report.manifest.files:
        print(f"  {f.path:<40} {f.size:>12} sha256:{f.sha256[:16]}…")
    dest = out_dir / "extracted"
    if not dest.exists():
        package.extract(dest, public)
        print(f"extracted to {dest}")
    return package_path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
