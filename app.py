"""Byline web app: `python app.py` (or `make run`, `byline serve`) serves the chat window and the widget."""

from assistant import offline  # noqa: F401  (first: keeps every library offline)
from assistant.settings import get_settings
from assistant.web import serve

if __name__ == "__main__":
    serve(get_settings())
