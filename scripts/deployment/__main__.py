"""``python -m scripts.deployment``: see :mod:`scripts.deployment.deploy`."""

import sys

from scripts.deployment.deploy import main

sys.exit(main())
