"""Start the app: `python -m lib.serve [streamlit run options]` (what `make run` does).

Why not plain `streamlit run app.py`: Streamlit still treats an app with a
`pages/` folder as an old-style multipage app until the router has called
`st.navigation` once. On a fresh server whose first visitor opens a deep link
(say /rag), that first run would skip app.py — no sidebar, no settings. Marking
the app as a `st.navigation` app before the server starts closes that gap.
"""

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
