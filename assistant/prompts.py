"""Versioned prompt files (``prompts/<name>.md``) and a renderer that fails loudly on a wrong variable.

File format::

    version: 3
    ## system
    You answer questions about news articles...
    ## user
    {{passages}}
    Question: {{question}}

The first line is ``version: N``. ``## system`` / ``## user`` / ``## assistant`` heading lines split the
file into chat messages (few-shot examples are just user/assistant pairs). ``{{name}}`` is a variable.
Variables are substituted after the split, so a value (e.g. article text) can never open a new message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError

_VERSION = re.compile(r"\Aversion:\s*(\S+)[ \t]*\n")
_ROLE = re.compile(r"^## (system|user|assistant)[ \t]*$", re.M)
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PromptError(ConfigError):
    hint = "Fix the prompt file in BYLINE_PROMPTS_DIR (or the code that renders it)."


@dataclass(frozen=True)
class Prompt:
    """A loaded prompt: its name, version and template text (everything after the version line)."""

    name: str
    version: str
    template: str

    @property
    def id(self) -> str:
        """``name@version``, recorded on every answer the prompt produces."""
        return f"{self.name}@{self.version}"

    @property
    def variables(self) -> set[str]:
        return set(_VARIABLE.findall(self.template))

    def render(self, **values: object) -> str:
        """The template with every ``{{name}}`` replaced; a missing or unknown variable is an error."""
        self._check(values)
        return _substitute(self.template, values)

    def messages(self, **values: object) -> list[tuple[str, str]]:
        """Rendered ``(role, content)`` chat messages, split on the ``## role`` headings."""
        self._check(values)
        parts = _ROLE.split(self.template)
        if parts[0].strip():
            raise PromptError(f"Prompt {self.id}: text before the first '## system/user/assistant' heading.")
        pairs = zip(parts[1::2], parts[2::2], strict=True)
        return [(role, _substitute(body, values).strip()) for role, body in pairs]

    def _check(self, values: dict[str, object]) -> None:
        missing = self.variables - values.keys()
        unknown = values.keys() - self.variables
        if missing or unknown:
            detail = "; ".join(
                f"{label}: {', '.join(sorted(names))}"
                for label, names in (("missing", missing), ("unknown", unknown))
                if names
            )
            raise PromptError(f"Prompt {self.id} variables don't match ({detail}).")


def _substitute(text: str, values: dict[str, object]) -> str:
    # One pass with a callback: a value containing "{{x}}" is inserted literally, never re-expanded.
    return _VARIABLE.sub(lambda m: str(values[m.group(1)]), text)


def parse_prompt(name: str, text: str) -> Prompt:
    """A Prompt from file text whose first line is ``version: N``."""
    match = _VERSION.match(text)
    if not match:
        raise PromptError(f"Prompt {name!r} must start with a line 'version: N'.")
    return Prompt(name=name, version=match.group(1), template=text[match.end() :])


def load_prompt(name: str, prompts_dir: Path | None = None) -> Prompt:
    """Load ``<prompts_dir>/<name>.md`` (default: BYLINE_PROMPTS_DIR, i.e. the repo's prompts/)."""
    if prompts_dir is None:
        from assistant.settings import get_settings

        prompts_dir = get_settings().prompts_dir
    path = Path(prompts_dir) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"No prompt file {path}.", hint=f"Create {path} or set BYLINE_PROMPTS_DIR.")
    return parse_prompt(name, path.read_text(encoding="utf-8"))
