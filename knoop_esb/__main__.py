import sys

from knoop_esb.cli import main

sys.exit(main())
