"""Load and chunk one file in a worker process with a hard bound on time and memory.

Parsers of PDF, DOCX and HTML can be driven into minutes of CPU or gigabytes of memory by a few
hostile bytes, and in-process checks (page deadlines, budgets) only run between the parser's
steps. :func:`load_isolated` therefore runs loader and chunker in a child process.

The children come from a small fork server: a helper process started once (``python -c``, so it
shares nothing with the caller's threads or entry script) that has imported the parsers and
forks one child per file, which costs milliseconds. The child limits its own address space
(``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``); the server waits at most
``LoaderLimits.max_seconds`` for its answer and kills it after that. Every outcome other than a
document becomes a :class:`DocumentRejected` with a German reason; nothing a child does can stop
the caller. Jobs and answers travel as pickles over the server's pipes.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import IO, Any

from ingest.chunking import ChunkingConfig, chunk_document
from ingest.documents import Chunk, Document
from ingest.errors import DocumentRejected
from ingest.loaders import LoaderLimits, load_bytes

log = logging.getLogger(__name__)

_PRELOAD = ("pypdf", "docx", "bs4", "yaml", "langchain_text_splitters")
_CPU_GRACE_S = 5
_SERVER_GRACE_S = 15.0
_STARTUP_S = 120.0  # importing the parsers on a busy machine
_HEADER = 8


def load_isolated(
    data: bytes,
    source: str,
    path: Path,
    limits: LoaderLimits,
    chunking: ChunkingConfig | None = None,
) -> tuple[Document, list[Chunk]]:
    """Load ``data`` as the file ``path`` and cut it into chunks, bounded in time and memory.

    Without ``chunking`` only the document is loaded and the chunk list is empty. With
    ``limits.isolate`` off, the same steps run in this process; the chunk and text caps apply
    either way.

    Raises:
        DocumentRejected: the file cannot be read, or exceeds a limit (German reason).
    """
    if not limits.isolate:
        return _load(data, source, path, limits, chunking)
    outcome = _SERVER.request((data, source, path, limits, chunking), limits.max_seconds)
    return _result(outcome, limits)


class _ForkServer:
    """A small helper process, started once, that forks one child per file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._registered = False

    def request(self, job: tuple[Any, ...], seconds: float) -> tuple[Any, ...] | None:
        """Send one job; the child's answer, or None if the server failed (it is restarted)."""
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            fresh = self._process is None or self._process.poll() is not None
            process = self._running()
            assert process.stdin is not None and process.stdout is not None
            wait = seconds + _SERVER_GRACE_S + (_STARTUP_S if fresh else 0.0)
            try:
                _write_frame(process.stdin, payload)
                answer = _read_frame(process.stdout, time.monotonic() + wait)
                result: tuple[Any, ...] = pickle.loads(answer)
                return result
            except (OSError, EOFError, TimeoutError, pickle.UnpicklingError):
                log.warning("the loader fork server failed; it is restarted")
                self._stop()
                return None

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            root = str(Path(__file__).resolve().parent.parent)
            code = (
                f"import sys; sys.path.insert(0, {root!r}); import ingest.sandbox as s; s.serve()"
            )
            self._process = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
            )
            if not self._registered:
                atexit.register(self.stop)
                self._registered = True
        return self._process

    def stop(self) -> None:
        """End the server (at exit; it would also end on its own when this process is gone)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
            self._process = None


_SERVER = _ForkServer()


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(len(payload).to_bytes(_HEADER, "big") + payload)
    stream.flush()


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    while size:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _read_frame(stream: IO[bytes], deadline: float) -> bytes:
    fd = stream.fileno()
    size = int.from_bytes(_read_exact(fd, _HEADER, deadline), "big")
    return _read_exact(fd, size, deadline)


_private_fds: list[int] = []


def serve() -> None:
    """Main loop of the fork server: read a job from stdin, run it in a child, answer on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    # The protocol gets private descriptors; stray prints of any library go to stderr.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    _private_fds.extend([requests.fileno(), answers.fileno()])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    logging.getLogger().addHandler(logging.NullHandler())  # parser warnings stay quiet
    warnings.simplefilter("ignore")
    for name in _PRELOAD:
        __import__(name)
    while True:
        header = requests.read(_HEADER)
        if len(header) < _HEADER:
            return  # the parent has gone
        job = pickle.loads(requests.read(int.from_bytes(header, "big")))
        answer = _run_child(job)
        _write_frame(answers, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


def _run_child(job: tuple[Any, ...]) -> tuple[Any, ...]:
    """Fork, run the job under the limits in the child, and collect its answer or its fate."""
    limits: LoaderLimits = job[3]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _child(write_end, job)
    os.close(write_end)
    deadline = time.monotonic() + limits.max_seconds
    answer: tuple[Any, ...] | None
    try:
        answer = pickle.loads(_read_all(read_end, deadline))
    except TimeoutError:
        answer = ("timeout",)
    except (EOFError, pickle.UnpicklingError, ValueError):
        answer = None
    finally:
        os.close(read_end)
    if answer == ("timeout",):
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if answer is None:
        signalled = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU
        answer = ("timeout",) if signalled else ("died",)
    return answer


def _read_all(fd: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        part = os.read(fd, 1 << 20)
        if not part:
            if not parts:
                raise EOFError
            return b"".join(parts)
        parts.append(part)


def _child(write_end: int, job: tuple[Any, ...]) -> None:
    """Body of the forked child: never returns."""
    code = 0
    try:
        for fd in _private_fds:
            os.close(fd)
        limits: LoaderLimits = job[3]
        memory = limits.max_memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(limits.max_seconds) + _CPU_GRACE_S
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        answer = _attempt(*job)
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory",))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _result(outcome: tuple[Any, ...] | None, limits: LoaderLimits) -> tuple[Document, list[Chunk]]:
    match outcome:
        case ("ok", Document() as doc, list() as chunks):
            return doc, chunks
        case ("rejected", str() as reason):
            raise DocumentRejected(reason)
        case ("timeout",):
            log.warning("loader worker killed after %g s", limits.max_seconds)
            raise _too_slow(limits)
        case ("memory",):
            raise _too_much_memory(limits)
        case ("error", str() as kind):
            log.warning("loader worker failed with %s", kind)
            raise DocumentRejected(
                "Die Datei ist beschädigt oder ungewöhnlich aufgebaut und kann nicht gelesen werden."
            )
    log.warning("loader worker ended without an answer")
    raise DocumentRejected(
        "Das Auslesen der Datei wurde abgebrochen (zu viel Arbeitsspeicher oder eine fehlerhafte "
        "Datei); die Datei wird nicht verarbeitet."
    )


def _too_slow(limits: LoaderLimits) -> DocumentRejected:
    return DocumentRejected(
        f"Die Datei lässt sich nicht in {limits.max_seconds:g} Sekunden auslesen und wird nicht "
        "verarbeitet."
    )


def _too_much_memory(limits: LoaderLimits) -> DocumentRejected:
    mb = limits.max_memory_bytes // (1024 * 1024)
    return DocumentRejected(
        f"Das Auslesen der Datei braucht mehr als {mb} MB Arbeitsspeicher; die Datei wird nicht "
        "verarbeitet."
    )


def _load(
    data: bytes,
    source: str,
    path: Path,
    limits: LoaderLimits,
    chunking: ChunkingConfig | None,
) -> tuple[Document, list[Chunk]]:
    doc = load_bytes(data, source, path, limits)
    if chunking is None:
        return doc, []
    chunks = chunk_document(doc, chunking)
    if not chunks:
        raise DocumentRejected("Die Datei enthält keinen verwertbaren Text.")
    if len(chunks) > limits.max_chunks:
        raise DocumentRejected(
            f"Die Datei ergibt {len(chunks)} Textabschnitte; erlaubt sind höchstens "
            f"{limits.max_chunks}. Bitte in kleinere Dokumente aufteilen."
        )
    return doc, chunks


def _attempt(
    data: bytes,
    source: str,
    path: Path,
    limits: LoaderLimits,
    chunking: ChunkingConfig | None,
) -> tuple[Any, ...]:
    """Run the loader; return an answer for the parent (frames are freed before it is sent)."""
    try:
        doc, chunks = _load(data, source, path, limits, chunking)
    except DocumentRejected as exc:
        return ("rejected", exc.reason)
    except MemoryError:
        return ("memory",)
    except RecursionError:
        return ("rejected", "Die Datei ist zu tief verschachtelt und kann nicht gelesen werden.")
    except Exception as exc:  # a parser bug on hostile input must not pass as a document
        return ("error", type(exc).__name__)
    return ("ok", doc, chunks)
