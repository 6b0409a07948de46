"""/api/v1/docs/: the OpenAPI document as a plain server-rendered page.

drf-spectacular's Swagger UI and Redoc pages load their scripts from a CDN, which the site's
Content-Security-Policy (script-src 'self') refuses, and the self-hosted copies would need a
further package. This page needs no script: each operation with its parameters, request
fields and answers, read from the same schema /api/v1/schema/ serves.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    public: bool
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    # (status code, the answer's shape: a name in shapes(), or a short type)
    answers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Shape:
    """A component of the document that answers carry, with its fields."""

    name: str
    description: str
    fields: list[Field]


def _component(schema: dict, document: dict) -> dict:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def type_name(schema: dict, document: dict) -> str:
    """A short type for a person: "string (date)", "list of integer", "Source", ..."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        target = _component(schema, document)
        if "enum" in target:
            return " | ".join(str(v) for v in target["enum"] if v not in ("", None))
        return name
    if "allOf" in schema:
        return " or ".join(type_name(s, document) for s in schema["allOf"])
    if "oneOf" in schema:
        return " or ".join(type_name(s, document) for s in schema["oneOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"] if v not in ("", None))
    kind = schema.get("type", "object")
    if kind == "array":
        return "list of " + type_name(schema.get("items", {}), document)
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return kind


def plain(description: str) -> str:
    """A description without drf-spectacular's list of enum labels; the type shows them."""
    return "\n".join(
        line for line in description.splitlines() if not line.startswith("* `")
    ).strip()


def fields_of(schema: dict, document: dict, *, sent: bool) -> list[Field]:
    """The object's fields; for what is sent (a request body), not the read-only ones."""
    target = _component(schema, document)
    required = set(target.get("required", []))
    return [
        Field(
            name=name,
            type=type_name(prop, document),
            required=name in required,
            description=plain(prop.get("description", "")),
        )
        for name, prop in target.get("properties", {}).items()
        if not (sent and prop.get("readOnly"))
    ]


def operations(document: dict) -> list[Operation]:
    """The document's operations in path order, flattened for the page."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            answers = []
            for code, answer in op.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                answers.append((code, type_name(schema, document) if schema else "no body"))
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    public={} in op.get("security", []),
                    parameters=[
                        Field(
                            name=f"{p['name']} ({p['in']})",
                            type=type_name(p.get("schema", {}), document),
                            required=p.get("required", False),
                            description=plain(p.get("description", "")),
                        )
                        for p in op.get("parameters", [])
                    ],
                    body=fields_of(body["schema"], document, sent=True) if "schema" in body else [],
                    answers=answers,
                )
            )
    return found


def shapes(document: dict) -> list[Shape]:
    """The objects answers carry, by name (request bodies are shown with their operation)."""
    return [
        Shape(
            name=name,
            description=plain(schema.get("description", "")),
            fields=fields_of(schema, document, sent=False),
        )
        for name, schema in sorted(document.get("components", {}).get("schemas", {}).items())
        if "properties" in schema and not name.endswith("Request")
    ]


@cache
def schema_document() -> dict:
    """The same OpenAPI document as /api/v1/schema/; it changes only with the code."""
    return SchemaGenerator().get_schema(request=None, public=True)


def api_docs(request: HttpRequest) -> HttpResponse:
    document = schema_document()
    answer_shapes = shapes(document)
    context = {
        "organization_name": settings.FACTCHECK_ORGANIZATION_NAME,
        "info": document["info"],
        "operations": operations(document),
        "shapes": answer_shapes,
        "shape_names": {shape.name for shape in answer_shapes},
        "api_root": request.build_absolute_uri("/api/v1/"),
    }
    return render(request, "factcheck/api_docs.html", context)
