"""The bookmarks API of openapi.yaml, in FastAPI, kept in memory.

Run it with: PORT=8080 python3 app.py
"""
import os
from typing import List, Optional

import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AnyHttpUrl, BaseModel, StrictStr, constr
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI(title="Bookmarks")

# id -> bookmark dict; a dict keeps insertion order, so lists come oldest first.
bookmarks = {}
next_id = 1  # a counter, so ids are never reused


class NewBookmark(BaseModel):
    # Strict types: pydantic would otherwise turn the number 12345 into the
    # string "12345", and openapi.yaml says a number is not a title.
    url: AnyHttpUrl
    title: constr(strict=True, min_length=1)
    tags: List[StrictStr] = []


def error(status, message, details=None):
    body = {"error": message}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status)


# openapi.yaml says every error is {"error": ..., "details": [...]}. FastAPI's
# own answers are {"detail": ...}, so both of its error paths are replaced.
@app.exception_handler(RequestValidationError)
async def invalid_input(request, exc):
    details = [
        ".".join(str(part) for part in e["loc"]) + ": " + e["msg"]
        for e in exc.errors()
    ]
    return error(422, "invalid input", details)


@app.exception_handler(StarletteHTTPException)
async def http_error(request, exc):
    return error(exc.status_code, str(exc.detail))


@app.get("/bookmarks")
def list_bookmarks(tag: Optional[str] = None):
    if tag is None:
        return list(bookmarks.values())
    return [b for b in bookmarks.values() if tag in b["tags"]]


@app.post("/bookmarks", status_code=201)
def create_bookmark(new: NewBookmark):
    global next_id
    bookmark = {"id": next_id, "url": str(new.url), "title": new.title, "tags": new.tags}
    bookmarks[next_id] = bookmark
    next_id += 1
    return JSONResponse(bookmark, status_code=201)  # no Location header


@app.get("/bookmarks/{bookmark_id}")
def get_bookmark(bookmark_id: int):
    bookmark = bookmarks.get(bookmark_id)
    if bookmark is None:
        return error(404, f"no bookmark with id {bookmark_id}")
    return bookmark


@app.delete("/bookmarks/{bookmark_id}", status_code=204)
def delete_bookmark(bookmark_id: int):
    if bookmarks.pop(bookmark_id, None) is None:
        return error(404, f"no bookmark with id {bookmark_id}")
    return Response(status_code=204)


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
