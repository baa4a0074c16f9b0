#!/bin/sh
# Makes the committed spreadsheet fixtures that Rust cannot write itself. Run once, by hand, where
# LibreOffice is installed (Debian: apt-get install libreoffice-calc-nogui python3-uno); CI only reads
# the results.
#   messy_srp.ods, messy_srp.xls  from messy_srp.fods (hand-written flat OpenDocument, reviewable)
#   encrypted.xlsx                a real password-protected workbook (password "inclusion")
set -eu
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
soffice --headless --norestore --convert-to ods --outdir "$out" messy_srp.fods
soffice --headless --norestore --convert-to 'xls:MS Excel 97' --outdir "$out" messy_srp.fods
cp "$out/messy_srp.ods" "$out/messy_srp.xls" .
# LibreOffice loads the binary .ods over UNO more reliably than the flat XML.
/usr/bin/python3 encrypt_xlsx.py messy_srp.ods encrypted.xlsx inclusion
ls -l messy_srp.ods messy_srp.xls encrypted.xlsx
