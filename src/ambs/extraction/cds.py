"""The Climate Data Store through the pinned cdsapi: bounded retries with backoff, and the API key kept secret.

cdsapi 0.7.7 hands a personal access token (a key without ':') to
ecmwf-datastores-client, which speaks the CDS's OGC API - Processes protocol
(submit, poll the job, fetch the result asset, download). Its own retries (up
to 500 tries two minutes apart, Retry-After ignored, sleeps hard-wired) are
switched off: ``CdsClient.retrieve`` retries a whole request instead, a bounded
number of times with exponential backoff that honours the server's Retry-After,
and stops at once on a permanent refusal (bad request, failed job, no licence).
Whatever the client or the server says passes through ``redact`` before it is
logged or raised, so the key never reaches a log or an error message.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import cdsapi
import requests
from ecmwf.datastores.processing import DownloadError

# 408 timeout, 429 too many requests, 5xx server trouble: worth another try
TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError, DownloadError)
REDACTED = "***"


class CdsError(RuntimeError):
    """The CDS refused or failed a request for good, or kept failing past the retry budget; says why."""


@dataclass(frozen=True)
class Backoff:
    """At most ``attempts`` tries; waits double from ``first_wait_s``, a server's Retry-After wins, all capped."""

    attempts: int = 5
    first_wait_s: float = 30.0
    max_wait_s: float = 900.0

    def wait_s(self, failures: int, retry_after: float | None) -> float:
        """Seconds to wait after the ``failures``-th failed try."""
        wanted = self.first_wait_s * 2 ** (failures - 1) if retry_after is None else retry_after
        return min(wanted, self.max_wait_s)


@dataclass(frozen=True)
class Failure:
    """What one failed try means: retry it or not, why (the server's words), and when the server wants us back."""

    transient: bool
    reason: str
    retry_after: float | None = None


def classify(error: Exception) -> Failure:
    """Transient: connection trouble, an incomplete download, 408/429/5xx. Anything else is permanent."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        response = error.response
        return Failure(
            response.status_code in TRANSIENT_HTTP, str(error), retry_after_s(response.headers.get("Retry-After"))
        )
    return Failure(isinstance(error, TRANSIENT_ERRORS), f"{type(error).__name__}: {error}")


def retry_after_s(value: str | None) -> float | None:
    """A Retry-After header in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ***."""
    return text.replace(secret, REDACTED) if secret else text


class CdsClient:
    """``retrieve(dataset, request, target)`` against the CDS, like ``cdsapi.Client``, but robust and discreet.

    ``url`` and ``key`` default to what cdsapi reads: CDSAPI_URL/CDSAPI_KEY, else
    ``~/.cdsapirc`` (or the file named by CDSAPI_RC). ``sleep`` is injectable so
    tests need not wait; ``poll_max_s`` caps the client's wait between status polls.
    """

    def __init__(
        self,
        url: str | None = None,
        key: str | None = None,
        backoff: Backoff = Backoff(),
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = print,
        poll_max_s: float = 120.0,
    ) -> None:
        try:
            url, key, verify = cdsapi.api.get_url_key_verify(url, key, None)
        except Exception as error:  # cdsapi raises a bare Exception for a missing configuration
            raise CdsError(
                f"no CDS API configuration ({error}): set CDSAPI_URL and CDSAPI_KEY, or write ~/.cdsapirc "
                "with 'url: https://cds.climate.copernicus.eu/api' and 'key: <your personal access token>'"
            ) from None
        if ":" in key:
            raise CdsError(
                "the CDS API key has the old '<UID>:<APIKEY>' form of the retired CDS; use the personal access "
                "token from your profile on https://cds.climate.copernicus.eu"
            )
        self.url = url
        self._key = key
        self.backoff = backoff
        self.sleep = sleep
        self.log = log
        self._client = cdsapi.Client(
            url=url,
            key=key,
            verify=verify,
            progress=False,
            retry_max=1,  # one try per call: the retries are ours
            sleep_max=poll_max_s,
            info_callback=self._relay,
            warning_callback=self._relay,
            error_callback=self._relay,
            debug_callback=_ignore,  # the debug messages carry the key and whole replies
        )

    def retrieve(self, name: str, request: dict[str, Any], target: str) -> None:
        """Download ``request`` of dataset ``name`` to ``target``; CdsError once it cannot succeed."""
        for attempt in range(1, self.backoff.attempts + 1):
            try:
                self._client.retrieve(name, request, target)
                return
            except Exception as error:  # classified below; cdsapi and its client raise many kinds
                failure = classify(error)
            reason = redact(failure.reason, self._key)
            if not failure.transient:
                raise CdsError(f"the CDS refused it: {reason}") from None
            if attempt == self.backoff.attempts:
                raise CdsError(f"still failing after {attempt} attempts: {reason}") from None
            wait = self.backoff.wait_s(attempt, failure.retry_after)
            self.log(f"attempt {attempt} of {self.backoff.attempts} failed ({reason}); retrying in {wait:g} s")
            self.sleep(wait)

    def _relay(self, message: Any, *args: Any, **kwargs: Any) -> None:
        """cdsapi's logging callback: %-format like logging does, redact, pass on."""
        text = str(message) % args if args else str(message)
        self.log(redact(text, self._key))


def _ignore(*args: Any, **kwargs: Any) -> None:
    """Drops a cdsapi message."""
