"""Saves a spreadsheet as a password-protected .xlsx through LibreOffice (UNO), the way Excel's
"Encrypt with password" does: an OLE compound file holding the encrypted package.

Usage: /usr/bin/python3 encrypt_xlsx.py SOURCE TARGET.xlsx PASSWORD
"""

import os
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
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                           (prop("Hidden", True),))
        # The OOXML export filter encrypts when the media descriptor carries "OOXPassword" in its
        # EncryptionData (a plain "Password" property is ignored for .xlsx).
        secret = NamedValue()
        secret.Name, secret.Value = "OOXPassword", password
        encryption = uno.Any("[]com.sun.star.beans.NamedValue", (secret,))
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)),
                       (prop("FilterName", "Calc MS Excel 2007 XML"), prop("EncryptionData", encryption)))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge drops as the office quits
    finally:
        office.wait(timeout=30)


if __name__ == "__main__":
    main(*sys.argv[1:4])
