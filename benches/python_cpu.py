"""The Python strapi-kit 0.6.0's side of `benches/cpu.rs`: the same operations on the same
inputs, timed with timeit in this process. Prints one JSON object {op: median µs per op}.

    python3.12 benches/python_cpu.py [benches/data]

Needs `pip install strapi-kit==0.6.0` (Python >= 3.12); `benches/run.sh` makes a venv for it.
"""

import json
import os
import statistics
import sys
import timeit

import httpx
import strapi_kit
from strapi_kit import SyncClient, StrapiConfig, ValidationError
from strapi_kit.models import FilterBuilder, SortDirection, StrapiQuery
from strapi_kit.parsers import VersionDetectingParser

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")


def read(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


V4_RAW, V5_RAW, ERR_RAW = read("v4_list_100.json"), read("v5_list_100.json"), read("error_400.json")
V4, V5 = json.loads(V4_RAW), json.loads(V5_RAW)
EXPECTED = json.loads(read("query_a.json"))["encoded"]


def build_query():
    return (
        StrapiQuery()
        .filter(
            FilterBuilder()
            .eq("published", True)
            .gte("views", 100)
            .containsi("title", "article")
            .or_group(
                FilterBuilder().eq("author.name", "Author 1"),
                FilterBuilder().lt("publishedDate", "2026-06-01T00:00:00.000Z"),
            )
        )
        .sort_by("publishedDate", SortDirection.DESC)
        .then_sort_by("title", SortDirection.ASC)
        .paginate(page=2, page_size=50)
        .populate_fields(["author", "cover"])
        .select(["title", "slug", "views", "publishedDate"])
    )


def query_a():
    return str(httpx.QueryParams(build_query().to_query_params()))


assert query_a() == EXPECTED, query_a()

# A fresh parser per call: the version is not known yet, as on a client's first response
# (our side decodes with the version unknown too).
def v4_norm():
    return VersionDetectingParser().parse_collection(V4)


def v4_parse_norm():
    return VersionDetectingParser().parse_collection(json.loads(V4_RAW))


def v5_norm():
    return VersionDetectingParser().parse_collection(V5)


def v5_parse_norm():
    return VersionDetectingParser().parse_collection(json.loads(V5_RAW))


assert len(v4_norm().data) == 100 and v4_norm().data[0].attributes["author"]
assert len(v5_norm().data) == 100

CLIENT = SyncClient(StrapiConfig(base_url="http://127.0.0.1:1", api_token="bench"))
REQUEST = httpx.Request("POST", "http://127.0.0.1:1/api/articles")


def error_parse():
    # What the client does with a 400 answer: parse the body, build the typed error.
    try:
        CLIENT._handle_error_response(httpx.Response(400, content=ERR_RAW, request=REQUEST))
    except ValidationError as e:
        return e


assert error_parse().details["errors"][0]["path"] == ["title"]

OPS = {
    "query_a": query_a,
    "v4_norm": v4_norm,
    "v4_parse_norm": v4_parse_norm,
    "v5_norm": v5_norm,
    "v5_parse_norm": v5_parse_norm,
    "error_parse": error_parse,
}


def median_us(fn, target_s=0.2, repeat=7):
    t = timeit.Timer(fn)
    number, _ = t.autorange()  # at least 0.2 s per repeat
    number = max(1, int(number * target_s / 0.2))
    runs = t.repeat(repeat=repeat, number=number)
    return statistics.median(runs) / number * 1e6


only = os.environ.get("BENCH_OPS")
out = {name: round(median_us(fn), 3) for name, fn in OPS.items() if not only or name in only.split(",")}
out["_version"] = strapi_kit.__version__
out["_python"] = sys.version.split()[0]
print(json.dumps(out))
