"""A small HTTP load generator on asyncio (raw HTTP/1.1, one connection per request, as gunicorn's
sync workers close the connection after each response).

* open loop: request i is due at start + i/rate, whatever happened to the earlier ones; its latency
  is counted from that scheduled instant (so a stalled server shows up as queueing delay, not as a
  lower send rate — no coordinated omission).
* closed loop: C clients, each sending its next request when the previous answered: saturation.

Each request completes a distinct task: `jobs` is a list of (path, body bytes, headers dict).
"""

import asyncio
import resource


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _send(host, port, method, path, body, headers, timeout):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
                f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)
        return int(status_line.split()[1])
    finally:
        writer.close()


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _summary(latencies, statuses, elapsed, cpu, offered=None):
    ok = [lat for lat, s in zip(latencies, statuses, strict=False) if s == 200]
    errors = {}
    for s in statuses:
        if s != 200:
            errors[str(s)] = errors.get(str(s), 0) + 1
    return {"sent": len(statuses), "ok": len(ok), "errors": errors, "seconds": round(elapsed, 2),
            "throughput": round(len(ok) / elapsed, 1), "offered_rate": offered,
            "p50_ms": _ms(percentile(latencies, 50)), "p95_ms": _ms(percentile(latencies, 95)),
            "p99_ms": _ms(percentile(latencies, 99)), "max_ms": _ms(max(latencies) if latencies else None),
            "loadgen_cpu_s": round(cpu, 2)}


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 2)


def open_loop(host, port, jobs, rate, seconds, timeout=30.0):
    """Send min(len(jobs), rate*seconds) requests at a constant rate; latency from the scheduled time."""
    n = min(len(jobs), int(rate * seconds))

    async def run():
        loop = asyncio.get_running_loop()
        latencies, statuses = [0.0] * n, [0] * n
        start = loop.time() + 0.2

        async def one(i, due):
            method, path, body, headers = jobs[i]
            await asyncio.sleep(max(0.0, due - loop.time()))
            try:
                statuses[i] = await _send(host, port, method, path, body, headers, timeout)
            except (TimeoutError, OSError, ValueError, IndexError):
                statuses[i] = -1
            latencies[i] = loop.time() - due

        tasks = [asyncio.create_task(one(i, start + i / rate)) for i in range(n)]
        await asyncio.gather(*tasks)
        return latencies, statuses, loop.time() - start

    cpu = _cpu()
    latencies, statuses, elapsed = asyncio.run(run())
    return _summary(latencies, statuses, elapsed, _cpu() - cpu, offered=rate)


def closed_loop(host, port, jobs, concurrency, seconds, timeout=30.0):
    """`concurrency` clients back to back for `seconds` (or until the jobs run out)."""
    async def run():
        loop = asyncio.get_running_loop()
        latencies, statuses = [], []
        queue = iter(range(len(jobs)))
        start = loop.time()

        async def client():
            while loop.time() - start < seconds:
                i = next(queue, None)
                if i is None:
                    return
                method, path, body, headers = jobs[i]
                sent = loop.time()
                try:
                    status = await _send(host, port, method, path, body, headers, timeout)
                except (TimeoutError, OSError, ValueError, IndexError):
                    status = -1
                latencies.append(loop.time() - sent)
                statuses.append(status)

        await asyncio.gather(*[client() for _ in range(concurrency)])
        return latencies, statuses, loop.time() - start

    cpu = _cpu()
    latencies, statuses, elapsed = asyncio.run(run())
    return _summary(latencies, statuses, elapsed, _cpu() - cpu)


def sequential(host, port, jobs, timeout=30.0):
    """One request after the other (the memory benchmark); returns the statuses."""
    async def run():
        return [await _send(host, port, *job, timeout) for job in jobs]
    return asyncio.run(run())
