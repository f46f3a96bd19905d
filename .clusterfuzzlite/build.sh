#!/bin/bash -eu
# Build every cargo-fuzz target of fuzz/ into $OUT, with its seed corpus
# and dictionary, as ClusterFuzzLite and OSS-Fuzz expect.
#
# Inside their builder image $SRC, $OUT and $SANITIZER are set and the
# toolchain is nightly (AddressSanitizer). Run by hand here, outside
# Docker, it falls back to local defaults so the same script proves the
# targets build on stable:
#   OUT      fuzz/target/clusterfuzzlite-out
#   -s none  no sanitizer (ASan needs nightly); FUZZ_SANITIZER overrides
# Usage: .clusterfuzzlite/build.sh   (from anywhere)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -n "${SRC:-}" && -d "$SRC/xmpp-conform/fuzz" ]]; then
    project="$SRC/xmpp-conform"           # the builder image's layout
else
    project=$(cd "$here/.." && pwd)       # this checkout
fi
OUT=${OUT:-$project/fuzz/target/clusterfuzzlite-out}
mkdir -p "$OUT"

# In the builder image cargo-fuzz's default (address) is what $SANITIZER
# asks for, and the image's flags handle coverage builds; here, none.
sanitizer=()
if [[ -z "${SANITIZER:-}" ]]; then
    sanitizer=(-s "${FUZZ_SANITIZER:-none}")
fi

cd "$project/fuzz"
cargo fuzz build -O "${sanitizer[@]}"

triple=$(rustc -vV | sed -n 's/^host: //p')
built="$project/fuzz/target/$triple/release"
targets=$(cargo fuzz list)
for target in $targets; do
    cp "$built/$target" "$OUT/"
    # Seeds: corpus/<target>/ (element_roundtrip has none: structured input).
    if [[ -d "$project/corpus/$target" ]]; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        (cd "$project/corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
    cp "$project/fuzz/xmpp.dict" "$OUT/$target.dict"
done
echo "built into $OUT:" $targets
