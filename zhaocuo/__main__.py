import sys

from zhaocuo.cli import main

sys.exit(main())
