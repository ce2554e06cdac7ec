import sys

from archscout.cli.main import main

sys.exit(main())
