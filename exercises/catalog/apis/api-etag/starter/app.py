import os

from flask import Flask, jsonify

app = Flask(__name__)

articles = {
    1: {"id": 1, "title": "Caching without fear", "body": "Validators let a client ask: has it changed?"},
    2: {"id": 2, "title": "What a 304 saves", "body": "An answer with no body is the fastest answer."},
    3: {"id": 3, "title": "Lost updates", "body": "Two editors, one article, and the last save wins."},
    4: {"id": 4, "title": "Optimistic locking", "body": "Send what you read, and the server refuses stale writes."},
    5: {"id": 5, "title": "Strong and weak", "body": "A strong ETag changes whenever a single byte does."},
}


@app.get("/articles/<int:article_id>")
def get_article(article_id):
    article = articles.get(article_id)
    if article is None:
        return jsonify(error=f"no article with id {article_id}"), 404
    # TODO: an ETag header, Cache-Control, and 304 for If-None-Match.
    return jsonify(article)


@app.put("/articles/<int:article_id>")
def put_article(article_id):
    # TODO: require If-Match (428, 412), then replace the article.
    return jsonify(error="not implemented yet"), 501


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
