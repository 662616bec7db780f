"""``python -m tremplin.engine detect|catalogue ...``"""

import sys

from .cli import main

sys.exit(main())
