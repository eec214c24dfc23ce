"""ctest's python.install: the package installs offline with Debian's pip and setuptools
(the README's command), and the installed copy runs the example bot. Exit 77 (a skip) without pip."""

import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
package = os.path.dirname(here)
example = os.path.join(package, "..", "..", "examples", "python", "bot.py")

try:
    import pip  # noqa: F401
except ImportError:
    print("python.install skipped: pip is missing (Debian: apt install python3-pip)")
    sys.exit(77)

with tempfile.TemporaryDirectory() as scratch:
    source, target = os.path.join(scratch, "source"), os.path.join(scratch, "site")
    # A copy, so that setuptools' build files stay out of the checkout.
    shutil.copytree(package, source, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "--target", target, source], check=True)
    environment = dict(os.environ, PYTHONPATH=target)
    found = subprocess.run([sys.executable, "-c", "import cliquet; print(cliquet.__file__)"], env=environment,
                           cwd=scratch, check=True, capture_output=True, text=True).stdout.strip()
    if not found.startswith(target):
        sys.exit(f"the installed package was not the one imported: {found}")
    subprocess.run([sys.executable, example], env=environment, cwd=scratch, check=True)
print("installed offline and ran the example bot")
