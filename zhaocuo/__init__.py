"""zhaocuo (找错): audits Chinese government websites the way the national inspection does.

Layers (docs/ARCHITECTURE.md): ``zhaocuo.core`` (store, profile, finding, URL and date helpers)
imports no stage; the stages ``crawler`` (gathers), ``audits`` (judges the stored crawl) and
``reports`` (writes what the audits found) import only the core; ``zhaocuo.app`` (command line,
runner, lifecycle, doctor, feedback, delivery) sits on top.
"""

__version__ = "0.2.0"
