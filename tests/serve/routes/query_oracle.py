"""The query-string rules of ``GET /v1/recommend`` written plainly, as the oracle of the one-pass
decoder every GET runs (``edge.serve.codec.decode_query_string``): the standard library splits
and unquotes, then each rule in turn."""

from urllib.parse import parse_qsl

from edge.decoding import convert
from edge.errors import NotFoundError, ValidationError
from edge.schemas import MAX_IDS, PAGE_SLOTS, RecommendRequest

LIST_FIELDS = ("cart", "history", "purchased", "slots", "exclude")


def decode(raw: bytes) -> RecommendRequest:
    fields: dict[str, object] = {}
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="replace"):
        if key not in RecommendRequest.__struct_fields__:
            raise ValidationError(f"unknown query parameter {key!r}", field=key)
        if key in LIST_FIELDS:
            ids = fields.setdefault(key, [])
            assert isinstance(ids, list)
            ids.extend(v for v in value.split(",") if v)
            if len(ids) > MAX_IDS:
                raise ValidationError(f"at most {MAX_IDS} ids in {key!r}", field=key)
        elif key in fields:
            raise ValidationError(f"query parameter {key!r} given more than once", field=key)
        else:
            fields[key] = value
    try:
        return convert(fields, RecommendRequest)
    except ValidationError as exc:  # an unknown page is a resource that does not exist
        if exc.field == "page" and exc.detail.startswith("Invalid enum value"):
            raise NotFoundError(f"{exc.detail}; pages are {', '.join(PAGE_SLOTS)}", field="page") from exc
        raise
