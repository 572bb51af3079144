#!/usr/bin/env bash
# Lays out the test datasets for CI runners that lack the shared copy:
#   <dest>/chest-ct/{train,valid,test}/<class>/…   from the pinned public source (see deploy/README.md)
#   <dest>/non-ct/…                                 from NON_CT_ARCHIVE_URL (a .tar.gz you host), if set
#
#   fetch-test-data.sh <dest>
# Environment: CHEST_CT_SOURCE_REPO, CHEST_CT_SOURCE_COMMIT (required); NON_CT_ARCHIVE_URL (optional).
set -euo pipefail

DEST="${1:?usage: fetch-test-data.sh <dest dir>}"
: "${CHEST_CT_SOURCE_REPO:?set CHEST_CT_SOURCE_REPO (owner/name)}"
: "${CHEST_CT_SOURCE_COMMIT:?set CHEST_CT_SOURCE_COMMIT (full sha)}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

git -c advice.detachedHead=false clone --quiet --filter=blob:none --no-checkout \
  "https://github.com/${CHEST_CT_SOURCE_REPO}.git" "$WORK/src"
git -C "$WORK/src" sparse-checkout set --no-cone /artifacts/data_ingestion/Data/
git -C "$WORK/src" -c advice.detachedHead=false checkout --quiet "$CHEST_CT_SOURCE_COMMIT"

SRC="$WORK/src/artifacts/data_ingestion/Data"
CT="$DEST/chest-ct"
mkdir -p "$CT"
# clean folder <- original folder (the same renaming as the shared copy's class_map.json)
while read -r clean original; do
  mkdir -p "$CT/$(dirname "$clean")"
  mv "$SRC/$original" "$CT/$clean"
done <<'MAP'
train/adenocarcinoma train/adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib
train/large_cell_carcinoma train/large.cell.carcinoma_left.hilum_T2_N2_M0_IIIa
train/normal train/normal
train/squamous_cell_carcinoma train/squamous.cell.carcinoma_left.hilum_T1_N2_M0_IIIa
valid/adenocarcinoma valid/adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib
valid/large_cell_carcinoma valid/large.cell.carcinoma_left.hilum_T2_N2_M0_IIIa
valid/normal valid/normal
valid/squamous_cell_carcinoma valid/squamous.cell.carcinoma_left.hilum_T1_N2_M0_IIIa
test/adenocarcinoma test/adenocarcinoma
test/large_cell_carcinoma test/large.cell.carcinoma
test/normal test/normal
test/squamous_cell_carcinoma test/squamous.cell.carcinoma
MAP

count="$(find "$CT" -type f | wc -l)"
if [[ "$count" -ne 1000 ]]; then
  echo "fetch-test-data: expected 1000 chest CT images from ${CHEST_CT_SOURCE_REPO}@${CHEST_CT_SOURCE_COMMIT}, got $count" >&2
  exit 1
fi
echo "fetch-test-data: $count chest CT images in $CT"

if [[ -n "${NON_CT_ARCHIVE_URL:-}" ]]; then
  mkdir -p "$DEST/non-ct"
  curl --fail --silent --show-error --location "$NON_CT_ARCHIVE_URL" | tar -xz -C "$DEST/non-ct"
  echo "fetch-test-data: non-CT set in $DEST/non-ct"
else
  echo "fetch-test-data: NON_CT_ARCHIVE_URL is not set; tests that need the non-CT set will fail under CI=true" >&2
fi
