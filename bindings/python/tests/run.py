"""Runs the package's pytest suite for ctest (python.tests): exit 77 (a skip) when pytest is missing."""

import os
import sys

try:
    import pytest
except ImportError:
    print("python.tests skipped: pytest is missing (Debian: apt install python3-pytest, or scripts/bootstrap.sh)")
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
if not os.environ.get("CLIQUET_LIBRARY"):
    print("note: CLIQUET_LIBRARY is not set; the package looks beside itself, then to the system's loader")
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", here] + sys.argv[1:]))
