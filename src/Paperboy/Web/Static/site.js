// Paperboy's page script: small, optional. Listing pages are cached and the same for everyone, so a signed-in
// member's own state (who they are, which papers they upvoted, the token their writes need) comes from one request
// after load. Upvotes then go to the API without a reload. Without this script every button still works as a form.
(function () {
    'use strict';
    var csrf = null;
    var signedIn = /(?:^|;\s*)pb_member=1/.test(document.cookie);

    function forms(id) {
        var all = Array.prototype.slice.call(document.querySelectorAll('form.upvote[data-paper-id]'));
        return id === undefined ? all : all.filter(function (f) { return f.getAttribute('data-paper-id') === id; });
    }

    function mark(form, voted, count) {
        var button = form.querySelector('button');
        form.classList.toggle('voted', voted);
        button.setAttribute('aria-pressed', voted ? 'true' : 'false');
        if (count !== undefined) {
            form.querySelector('.count').textContent = String(count);
            button.setAttribute('aria-label', 'Upvote: ' + count);
        }
    }

    function loadState() {
        var ids = [];
        forms().forEach(function (f) {
            var id = f.getAttribute('data-paper-id');
            if (ids.indexOf(id) < 0 && ids.length < 200) { ids.push(id); }
        });
        return fetch('/api/me/state?ids=' + encodeURIComponent(ids.join(',')), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
            .then(function (r) {
                if (r.status === 401) { document.cookie = 'pb_member=; Max-Age=0; path=/'; return null; }
                return r.ok ? r.json() : null;
            })
            .then(function (state) {
                if (!state) { return; }
                csrf = state.csrf;
                forms().forEach(function (f) { mark(f, state.votes.indexOf(f.getAttribute('data-paper-id')) >= 0); });
                var account = document.querySelector('a[data-account]');
                if (account && state.member) {
                    account.textContent = state.member.handle;
                    account.href = '/users/' + encodeURIComponent(state.member.handle);
                }
                document.documentElement.setAttribute('data-member', state.member ? state.member.handle : '');
            });
    }

    document.addEventListener('submit', function (e) {
        var form = e.target;
        if (!form.matches || !form.matches('form.upvote') || !csrf) { return; } // not ready: the form does the job
        e.preventDefault();
        var id = form.getAttribute('data-paper-id');
        var voted = form.classList.contains('voted');
        fetch('/api/papers/' + id + '/upvote', {
            method: voted ? 'DELETE' : 'POST',
            credentials: 'same-origin',
            headers: { 'X-CSRF-TOKEN': csrf, Accept: 'application/json' }
        }).then(function (r) {
            if (!r.ok) { form.submit(); return null; } // the form's page says what went wrong
            return r.json();
        }).then(function (vote) {
            if (vote) { forms(id).forEach(function (f) { mark(f, vote.upvoted, vote.upvotes); }); }
        });
    });

    if (signedIn) { loadState(); }
})();
