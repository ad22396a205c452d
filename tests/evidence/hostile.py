"""Hypothesis strategies for hostile input: API bodies (JSON, XML with entities, garbage), property values."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><CreateReplicationResponse><ReplicationId>&lol9;</ReplicationId></CreateReplicationResponse>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<ErrorResponse><Errors><Error>&xxe;</Error></Errors><RequestId>1</RequestId></ErrorResponse>"
)
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]><r/>'
)
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"x" * 5000 + b'">]><r>' + b"&a;" * 2000 + b"</r>"
)
ENTITY_BOMBS = (BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY, QUADRATIC_BLOWUP)

_names = st.sampled_from(
    [
        "ReplicationId",
        "Status",
        "Errors",
        "Error",
        "RequestId",
        "errors",
        "message",
        "data",
        "items",
        "x:y",
        "a",
    ]
)
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
_xml_text = st.one_of(
    _text.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;")),
    st.sampled_from(
        ["&amp;", "&lt;", "&#x41;", "&#0;", "&bogus;", "<![CDATA[<x>]]>", "<!-- c -->", "<?pi x?>"]
    ),
)


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_names)
    if depth > 3 or draw(st.booleans()):
        return f"<{name}>{draw(_xml_text)}</{name}>"
    children = "".join(draw(st.lists(_element(depth + 1), max_size=4)))
    return f"<{name}>{children}</{name}>"


xml_documents = st.builds(
    lambda prolog, root: (prolog + root).encode(),
    st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?>\n']),
    _element(),
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text | _names, children, max_size=4),
    max_leaves=20,
)
json_documents = json_values.map(lambda v: json.dumps(v).encode())


@st.composite
def _truncated(draw: st.DrawFn, bodies: st.SearchStrategy[bytes]) -> bytes:
    body = draw(bodies)
    return body[: draw(st.integers(0, len(body)))]


api_bodies: st.SearchStrategy[bytes] = st.one_of(
    json_documents,
    xml_documents,
    _truncated(json_documents | xml_documents),
    st.sampled_from(ENTITY_BOMBS),
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"   ", b"null", b"[]", b"{}", b"<html><body>502 Bad Gateway</body></html>", b"\xff\xfe<"]
    ),
)

# -- hostile property values ---------------------------------------------------------------------------
HUGE = "A" * 100_000
hostile_strings = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            HUGE,
            "\x00",
            "Server=evil;Password=hunter2-hunter2;User ID=sa",
            "Data Source=x;Initial Catalog=y;Password=p@ss;word;Integrated Security=true",
            "';DROP TABLE users;--",
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "&lol9;",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            "${AWS::AccountId}",
            "\u202etxt.exe",
            "💥" * 50,
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:does-not-exist",
            "http://169.254.169.254/latest/meta-data/",
            "file:///etc/passwd",
            "-1",
            "99999999999999999999999",
            "NaN",
            "true",
        ]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60),
)
hostile_values: st.SearchStrategy[Any] = st.one_of(
    hostile_strings,
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(hostile_strings, max_size=3),
    st.dictionaries(st.sampled_from(["SecretArn", "Password", "x"]), hostile_strings, max_size=2),
)
