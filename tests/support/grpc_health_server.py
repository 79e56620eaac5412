"""A real gRPC server (Debian's python3-grpcio) serving the standard health
service, grpc.health.v1.Health/Check, for the grpc probe's tests. grpcio's
own health module is not packaged for Debian, and the two messages have one
field each, so they are encoded here; the server, HTTP/2, framing and
trailers are grpcio's.

    python3 grpc_health_server.py [CERT KEY]

prints its port on the first line, then reads commands on stdin, one a line:
"<service> <status>" sets a service's status (0 UNKNOWN, 1 SERVING,
2 NOT_SERVING, 3 SERVICE_UNKNOWN; the service "-" is the server as a whole,
the empty name), "<service> -" forgets it (Check answers NOT_FOUND)."""

import sys
from concurrent import futures

import grpc

statuses = {"": 1}


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def service_of(request):
    """HealthCheckRequest.service (field 1, a string); other fields skipped."""
    pos, name = 0, b""
    while pos < len(request):
        tag = request[pos]
        pos += 1
        if tag == 0x0A:
            length, shift = 0, 0
            while True:
                b = request[pos]
                pos += 1
                length |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            name = request[pos:pos + length]
            pos += length
        else:
            raise ValueError(f"unexpected tag {tag}")
    return name.decode()


def check(request, context):
    service = service_of(request)
    if service not in statuses:
        context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {service}")
    status = statuses[service]
    return b"\x08" + varint(status) if status else b""  # HealthCheckResponse.status


def main():
    handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(
            check, request_deserializer=lambda b: b, response_serializer=lambda b: b)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    if len(sys.argv) == 3:
        with open(sys.argv[1], "rb") as c, open(sys.argv[2], "rb") as k:
            creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        port = server.add_secure_port("127.0.0.1:0", creds)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    for line in sys.stdin:
        service, status = line.split()
        service = "" if service == "-" else service
        if status == "-":
            statuses.pop(service, None)
        else:
            statuses[service] = int(status)
        print("ok", flush=True)
    server.stop(0)


if __name__ == "__main__":
    main()
