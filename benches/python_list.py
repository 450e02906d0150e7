"""The Python strapi-kit 0.6.0's side of `transfer list`: every entry of a collection through
`stream_entities` (100 per page). Prints "<count> <seconds spent listing>".

    python3.12 benches/python_list.py BASE_URL TOKEN COLLECTION
"""

import sys
import time

from strapi_kit import StrapiConfig, SyncClient, stream_entities

base, token, collection = sys.argv[1:4]
with SyncClient(StrapiConfig(base_url=base, api_token=token)) as client:
    started = time.perf_counter()
    # document_status=None: published entries, as the Rust client lists by default.
    n = sum(1 for _ in stream_entities(client, collection, page_size=100, document_status=None))
    print(n, time.perf_counter() - started)
