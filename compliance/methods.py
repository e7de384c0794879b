"""The HTTP methods a page answers (ON-02); any other method gets 405 with an Allow header.

A page that only shows something takes GET and HEAD (`django.views.decorators.http.
require_safe`), a button takes POST (`require_POST`), and a page with a form takes both:
"""

from django.views.decorators.http import require_http_methods

require_form = require_http_methods(["GET", "HEAD", "POST"])
