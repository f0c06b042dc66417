"""The real cdsapi client against a stand-in CDS on 127.0.0.1: a month downloads and validates, faults are
retried or stop with the month, request and reason, nothing broken gets a final name, the key stays secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from cds_server import StandInCds, start
from conftest import ROOT

from ambs.config import Area
from ambs.extraction.cds import Backoff, CdsClient, CdsError, retry_after_s
from ambs.extraction.month import extract_month, extract_static, make_client
from ambs.extraction.requests import build_requests, build_static_request
from ambs.extraction.synthetic import SyntheticClient
from ambs.extraction.validate import Era5FileError, validate_download

KEY = "b7e1c0de-5ec2-4e7a-9a11-000000c0ffee"
AREA = Area(north=50.0, west=5.0, south=49.0, east=6.0)
MONTH, DAYS, HOURS = "2017-02", list(range(1, 29)), list(range(24))
VARIABLES = ["t2m", "msl", "z500"]


@pytest.fixture
def cds() -> Iterator[StandInCds]:
    server = start(KEY)
    yield server
    server.shutdown()
    server.server_close()


class Recorder:
    """The client's log lines and the backoff it asked to sleep, without sleeping."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sleeps: list[float] = []


def _client(cds: StandInCds, recorder: Recorder, attempts: int = 5) -> CdsClient:
    return CdsClient(
        cds.url,
        KEY,
        Backoff(attempts, first_wait_s=10.0, max_wait_s=60.0),
        recorder.sleeps.append,
        recorder.lines.append,
        poll_max_s=0.1,
    )


def _extract(cds: StandInCds, recorder: Recorder, outdir: Path, attempts: int = 5) -> list[Path]:
    return extract_month(
        _client(cds, recorder, attempts), VARIABLES, AREA, MONTH, DAYS, HOURS, outdir, recorder.lines.append
    )


def test_a_month_downloads_validates_and_matches_the_synthetic_source(cds: StandInCds, tmp_path: Path) -> None:
    recorder = Recorder()
    paths = _extract(cds, recorder, tmp_path / "cds")
    requests = build_requests(VARIABLES, AREA, 2017, 2, DAYS, HOURS)
    assert cds.submitted == [r.body for r in requests]  # exactly the variables, level, area, days and hours
    assert set(cds.keys_seen) == {KEY} and recorder.sleeps == []
    local = extract_month(SyntheticClient(7), VARIABLES, AREA, MONTH, DAYS, HOURS, tmp_path / "local", lambda _: None)
    for path, reference, request in zip(paths, local, requests):
        validate_download(path, request)
        with xr.open_dataset(path) as got, xr.open_dataset(reference) as want:
            assert got.sizes == want.sizes and got.sizes["time"] == 28 * 24
            for name in want.data_vars:
                np.testing.assert_array_equal(got[name].values, want[name].values)
    assert sorted(p.name for p in (tmp_path / "cds").iterdir()) == ["pl500.nc", "sfc.nc"]


def test_the_invariants_and_the_gmd2022_variables_download_like_the_rest(cds: StandInCds, tmp_path: Path) -> None:
    """The static file and the tcc/t850 files, served in the new CDS layout, match the synthetic source's."""
    variables, days, hours = ["t2m", "tcc", "t850"], [1], [0, 12]
    recorder = Recorder()
    client = _client(cds, recorder)
    got = [extract_static(client, AREA, tmp_path / "cds", recorder.lines.append)]
    got += extract_month(client, variables, AREA, MONTH, days, hours, tmp_path / "cds", recorder.lines.append)
    monthly = build_requests(variables, AREA, 2017, 2, days, hours)
    assert cds.submitted == [build_static_request(AREA).body] + [r.body for r in monthly]
    local = SyntheticClient(7)
    want = [extract_static(local, AREA, tmp_path / "local", lambda _: None)]
    want += extract_month(local, variables, AREA, MONTH, days, hours, tmp_path / "local", lambda _: None)
    assert [p.name for p in got] == ["static.nc", "sfc.nc", "pl850.nc"]
    for path, reference in zip(got, want):
        with xr.open_dataset(path) as served, xr.open_dataset(reference) as generated:
            assert list(served.data_vars) == list(generated.data_vars) and served.sizes == generated.sizes
            for name in generated.data_vars:
                np.testing.assert_array_equal(served[name].values, generated[name].values)
                assert served[name].attrs["units"] == generated[name].attrs["units"]


def test_transient_faults_are_retried_with_backoff(cds: StandInCds, tmp_path: Path) -> None:
    cds.faults.api_errors = [(429, 2.0), (503, 1.0)]
    cds.faults.queued_polls = 1
    cds.faults.dropped_downloads = 1
    cds.faults.short_downloads = 1
    recorder = Recorder()
    paths = _extract(cds, recorder, tmp_path)
    # Retry-After of the 429 and the 503, then doubling waits from 10 s for the two broken downloads
    assert recorder.sleeps == [2.0, 1.0, 40.0, 60.0]
    assert any("ChunkedEncodingError" in line for line in recorder.lines)
    assert any("downloaded" in line and "out of" in line for line in recorder.lines)
    assert any("status has been updated to accepted" in line for line in recorder.lines)
    for path, request in zip(paths, build_requests(VARIABLES, AREA, 2017, 2, DAYS, HOURS)):
        validate_download(path, request)


def _nothing_left(outdir: Path) -> bool:
    return not outdir.exists() or list(outdir.iterdir()) == []


def test_failed_job_stops_at_once_naming_month_request_and_reason(cds: StandInCds, tmp_path: Path) -> None:
    cds.faults.fail_message = "MARS returned no data for 2m_temperature"
    recorder = Recorder()
    with pytest.raises(CdsError) as error:
        _extract(cds, recorder, tmp_path)
    message = str(error.value)
    assert message.startswith(MONTH) and "reanalysis-era5-single-levels" in message
    assert '"2m_temperature"' in message and "MARS returned no data" in message and "refused" in message
    assert recorder.sleeps == [] and len(cds.submitted) == 1
    assert _nothing_left(tmp_path)


def test_a_server_that_stays_down_is_given_up_after_bounded_attempts(cds: StandInCds, tmp_path: Path) -> None:
    cds.faults.api_errors = [(503, 5.0)] * 10
    recorder = Recorder()
    with pytest.raises(CdsError, match=rf"^{MONTH} .*still failing after 3 attempts: 503 Server Error"):
        _extract(cds, recorder, tmp_path, attempts=3)
    assert recorder.sleeps == [5.0, 5.0]
    assert _nothing_left(tmp_path)


@pytest.mark.parametrize(
    ("fault", "value", "says"),
    [
        ("corrupt", True, "cannot read netCDF"),
        ("drop_variable", "msl", "'msl'.*missing"),
        ("drop_last_hour", True, "1 requested hour"),
    ],
)
def test_an_incomplete_file_never_gets_a_final_name(
    cds: StandInCds, tmp_path: Path, fault: str, value: object, says: str
) -> None:
    setattr(cds.faults, fault, value)
    with pytest.raises(Era5FileError, match=rf"^{MONTH} .*sfc\.nc.*invalid download.*{says}"):
        _extract(cds, Recorder(), tmp_path)
    assert _nothing_left(tmp_path)


def test_the_key_is_redacted_even_when_the_server_echoes_it(cds: StandInCds, tmp_path: Path) -> None:
    cds.faults.fail_message = f"token {KEY} may not access this dataset"
    recorder = Recorder()
    with pytest.raises(CdsError) as error:
        _extract(cds, recorder, tmp_path)
    assert KEY not in str(error.value) and "token *** may not" in str(error.value)
    assert recorder.lines and not any(KEY in line for line in recorder.lines)


def test_configuration_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDSAPI_URL", raising=False)
    monkeypatch.delenv("CDSAPI_KEY", raising=False)
    monkeypatch.setenv("CDSAPI_RC", str(tmp_path / "missing"))
    with pytest.raises(CdsError, match="CDSAPI_URL and CDSAPI_KEY, or write ~/.cdsapirc"):
        CdsClient()
    with pytest.raises(CdsError, match="personal access token") as error:
        CdsClient("http://127.0.0.1:9/api", "12345:abcdef")
    assert "abcdef" not in str(error.value)


def test_make_client_reads_the_environment(cds: StandInCds, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDSAPI_URL", cds.url)
    monkeypatch.setenv("CDSAPI_KEY", KEY)
    client = make_client("cds", 0)
    assert isinstance(client, CdsClient) and client.url == cds.url


def test_backoff_and_retry_after() -> None:
    backoff = Backoff(attempts=4, first_wait_s=30.0, max_wait_s=100.0)
    assert [backoff.wait_s(n, None) for n in (1, 2, 3)] == [30.0, 60.0, 100.0]
    assert backoff.wait_s(1, 7.0) == 7.0 and backoff.wait_s(1, 500.0) == 100.0
    assert retry_after_s("12") == 12.0 and retry_after_s(None) is None and retry_after_s("soon") is None
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait


def _run_script(outdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "extract.py"),
        "--source",
        "cds",
        "--seed",
        "0",
        "--month",
        MONTH,
        "--variables",
        *VARIABLES,
        "--area",
        "50",
        "5",
        "49",
        "6",
        "--days",
        "1",
        "2",
        "--hours",
        "0",
        "12",
        "--outdir",
        str(outdir),
    ]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CDSAPI_")}
    return subprocess.run(cmd, capture_output=True, text=True, env={**clean, **env}, check=False, timeout=120)


def test_script_reads_the_key_from_cdsapirc_and_never_prints_it(cds: StandInCds, tmp_path: Path) -> None:
    (tmp_path / ".cdsapirc").write_text(f"url: {cds.url}\nkey: {KEY}\n")
    result = _run_script(tmp_path / "raw", {"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(cds.keys_seen) == {KEY} and "Request ID is" in result.stdout
    outputs = [result.stdout, result.stderr] + [p.read_bytes().decode("latin-1") for p in (tmp_path / "raw").iterdir()]
    assert not any(KEY in text for text in outputs)


def test_script_failure_from_the_environment_key_names_month_without_the_key(cds: StandInCds, tmp_path: Path) -> None:
    cds.faults.fail_message = f"request rejected for {KEY}"
    result = _run_script(tmp_path / "raw", {"CDSAPI_URL": cds.url, "CDSAPI_KEY": KEY, "HOME": str(tmp_path)})
    assert result.returncode != 0
    assert f"CdsError: {MONTH}" in result.stderr and "request rejected for ***" in result.stderr
    assert KEY not in result.stdout + result.stderr and set(cds.keys_seen) == {KEY}
    assert _nothing_left(tmp_path / "raw")
    assert json.dumps(["01", "02"]) in result.stderr  # the request, as sent
