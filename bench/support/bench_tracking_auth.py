#!/usr/bin/python3
"""The anchor's bench_tracking.py with an HTTP Basic login on every request, for
`npm run bench -- tracking --auth` (cairn server --auth). The workload is the anchor's own: this
wrapper only adds the Authorization header MLflow's client sends from MLFLOW_TRACKING_USERNAME and
MLFLOW_TRACKING_PASSWORD.

    /usr/bin/python3 bench/support/bench_tracking_auth.py PATH/TO/bench_tracking.py [its arguments]
"""
import base64
import http.client
import importlib.util
import os
import sys

script = sys.argv.pop(1)
credentials = f"{os.environ['MLFLOW_TRACKING_USERNAME']}:{os.environ['MLFLOW_TRACKING_PASSWORD']}"
AUTHORIZATION = "Basic " + base64.b64encode(credentials.encode()).decode()


class LoggedInConnection(http.client.HTTPConnection):
    def request(self, method, url, body=None, headers=None, **kwargs):
        headers = dict(headers or {})
        headers["Authorization"] = AUTHORIZATION
        return super().request(method, url, body=body, headers=headers, **kwargs)


http.client.HTTPConnection = LoggedInConnection
spec = importlib.util.spec_from_file_location("bench_tracking", script)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.argv[0] = script
module.main()
