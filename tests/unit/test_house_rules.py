"""The analysis core never imports streamlit (only recur.ui may)."""

import subprocess
import sys


def test_core_imports_without_streamlit():
    code = ("import sys, pkgutil, importlib, recur\n"
            "for m in pkgutil.walk_packages(recur.__path__, 'recur.'):\n"
            "    if not m.name.startswith('recur.ui'):\n"
            "        importlib.import_module(m.name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
