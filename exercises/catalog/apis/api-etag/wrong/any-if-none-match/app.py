import hashlib
import json
import os

from flask import Flask, jsonify, request

app = Flask(__name__)

articles = {
    1: {"id": 1, "title": "Caching without fear", "body": "Validators let a client ask: has it changed?"},
    2: {"id": 2, "title": "What a 304 saves", "body": "An answer with no body is the fastest answer."},
    3: {"id": 3, "title": "Lost updates", "body": "Two editors, one article, and the last save wins."},
    4: {"id": 4, "title": "Optimistic locking", "body": "Send what you read, and the server refuses stale writes."},
    5: {"id": 5, "title": "Strong and weak", "body": "A strong ETag changes whenever a single byte does."},
}


def etag_of(article):
    # A strong ETag: a quoted hash of the article's content. Same content,
    # same ETag; any change, a new one.
    data = json.dumps(article, sort_keys=True).encode()
    return '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


def etags_in(header):
    # If-Match and If-None-Match hold one ETag or several, separated by commas.
    return [tag.strip() for tag in header.split(",")]


def error(message, status):
    return jsonify(error=message), status


def with_validators(response, article):
    response.headers["ETag"] = etag_of(article)
    response.headers["Cache-Control"] = "no-cache"
    return response


@app.get("/articles/<int:article_id>")
def get_article(article_id):
    article = articles.get(article_id)
    if article is None:
        return error(f"no article with id {article_id}", 404)
    etag = etag_of(article)
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # The client's copy is current: no body, just the validators.
        return with_validators(app.response_class(status=304), article)
    return with_validators(jsonify(article), article)


@app.put("/articles/<int:article_id>")
def put_article(article_id):
    article = articles.get(article_id)
    if article is None:
        return error(f"no article with id {article_id}", 404)
    if_match = request.headers.get("If-Match")
    if if_match is None:
        return error("send If-Match with the ETag of the article you edited", 428)
    if etag_of(article) not in etags_in(if_match):
        return error("the article changed since you read it: GET it again", 412)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error("the body must be a JSON object", 400)
    title, body = data.get("title"), data.get("body")
    if not isinstance(title, str) or not title.strip():
        return error("title must be a non-blank string", 400)
    if not isinstance(body, str):
        return error("body must be a string", 400)
    article = {"id": article_id, "title": title, "body": body}
    articles[article_id] = article
    return with_validators(jsonify(article), article)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
