"""A moto server on a free loopback port for the AWS benchmarks, stopped when the block ends.

    with moto_server.started() as url:
        boto3.client("iam", endpoint_url=url, ...)
"""
import contextlib, os, socket, subprocess, time


@contextlib.contextmanager
def started():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = subprocess.Popen(["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # bounded: 30 s for the server to listen
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        moto.kill()
        moto.wait()
