import sys

from zhaocuo.app.cli import main

sys.exit(main())
