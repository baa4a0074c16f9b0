"""Saves a spreadsheet as a password-protected .xlsx through LibreOffice (UNO), the way Excel's
"Encrypt with password" does: an OLE compound file holding the encrypted package.

Usage: /usr/bin/python3 encrypt_xlsx.py SOURCE TARGET.xlsx PASSWORD
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import NamedValue, PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(source, target, password):
    pipe = "inclusion_encrypt_%d" % os.getpid()
    profile = tempfile.mkdtemp()
    office = subprocess.Popen([
        "soffice", "--headless", "--norestore", "--nologo",
        "-env:UserInstallation=file://" + profile,
        "--accept=pipe,name=%s;urp;" % pipe,
    ])
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(60):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # Load a copy, so a failed run leaves no LibreOffice lock file beside the fixtures.
        copy = os.path.join(profile, os.path.basename(source))
        shutil.copyfile(source, copy)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(copy), "_blank", 0, (prop("Hidden", True),))
        # The OOXML export filter encrypts when the media descriptor carries "OOXPassword" in its
        # EncryptionData (a plain "Password" property is ignored for .xlsx).
        secret = NamedValue()
        secret.Name, secret.Value = "OOXPassword", password
        crypto = NamedValue()
        # ECMA-376 "standard" encryption (AES-128), which LibreOffice 7.4 writes; its "Agile" fails here.
        crypto.Name, crypto.Value = "CryptoType", "Standard"
        encryption = uno.Any("[]com.sun.star.beans.NamedValue", (crypto, secret))
        descriptor = (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True),
                      prop("EncryptionData", encryption))
        # uno.invoke keeps the typed Any: plain Python would pass a sequence of structs untyped.
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(os.path.abspath(target)),
                                      uno.Any("[]com.sun.star.beans.PropertyValue", descriptor)))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge drops as the office quits
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.terminate()
            office.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
