"""The bookmarks API that openapi.yaml describes, in FastAPI, kept in memory.

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

# id -> bookmark dict {"id": int, "url": str, "title": str, "tags": [str]}.
bookmarks = {}
next_id = 1

# openapi.yaml is the contract: read it first. Then write, here:
#
# TODO the NewBookmark model of the document (url, title, tags), as a
#      pydantic BaseModel.
# TODO its four operations:
#      listBookmarks   GET    /bookmarks?tag=...  200, an array of bookmarks
#      createBookmark  POST   /bookmarks          201, the bookmark, a Location
#      getBookmark     GET    /bookmarks/{id}     200, or 404
#      deleteBookmark  DELETE /bookmarks/{id}     204 and no body, or 404
# TODO errors as the document's Error schema, {"error": "..."}: FastAPI's
#      own error bodies ({"detail": ...}) are not what the document says.


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
