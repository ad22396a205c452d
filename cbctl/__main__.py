import sys

from cbctl.cli import main

sys.exit(main())
