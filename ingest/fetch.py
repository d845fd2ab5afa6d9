"""Fetching an article page or feed over HTTP(S): size-limited, redirect-following, errors as ArticleError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import ArticleError

if TYPE_CHECKING:
    import httpx

USER_AGENT = "Byline/0.1"
DEFAULT_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class FetchedDocument:
    """The bytes a URL returned, with where they finally came from and what the server said they are."""

    requested_url: str
    url: str  # after redirects
    content_type: str | None
    charset: str | None
    data: bytes


def is_url(text: str) -> bool:
    """True for http:// and https:// addresses (the only schemes Byline fetches)."""
    return text[:8].lower().startswith(("http://", "https://"))


def fetch_url(
    url: str, *, max_bytes: int, timeout: float = DEFAULT_TIMEOUT_S, client: httpx.Client | None = None
) -> FetchedDocument:
    """GET ``url`` (following redirects) and return its body; raises ArticleError naming the URL and reason."""
    import httpx  # here, not at the top: it costs 0.2 s to import and most ingests fetch nothing

    own_client = client is None
    if client is None:
        client = httpx.Client(follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT})
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise ArticleError(url, f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ArticleError(url, _too_large(int(declared), max_bytes))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ArticleError(url, _too_large(size, max_bytes, at_least=True))
                chunks.append(chunk)
            return FetchedDocument(
                requested_url=url,
                url=str(response.url),
                content_type=response.headers.get("content-type"),
                charset=response.charset_encoding,
                data=b"".join(chunks),
            )
    except ArticleError:
        raise
    except httpx.TimeoutException:
        raise ArticleError(url, f"timed out after {timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise ArticleError(url, "too many redirects") from None
    except httpx.ConnectError as err:
        raise ArticleError(url, f"could not connect ({err})") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
        raise ArticleError(url, f"invalid URL ({err})") from None
    except httpx.HTTPError as err:
        raise ArticleError(url, f"download failed ({type(err).__name__}: {err})") from None
    finally:
        if own_client:
            client.close()


def _too_large(size: int, max_bytes: int, at_least: bool = False) -> str:
    amount = f"over {max_bytes}" if at_least else f"{size}"
    return (
        f"page too large: {amount} bytes, limit {max_bytes} (4 bytes per BYLINE_MAX_ARTICLE_CHARS) — "
        "raise BYLINE_MAX_ARTICLE_CHARS"
    )
