// Paperboy's page script: small, optional. Listing pages are cached and the same for everyone, so a signed-in
// member's own state (who they are, which papers they upvoted, saved, tagged, marked "not interested" or collected,
// the token their writes need) comes from one request after load. Upvotes and the library's buttons then go to the
// API without a reload. Without this script every button still works as a form.
(function () {
    'use strict';
    var csrf = null;
    var library = { tags: [], collections: [], marks: {} };
    var signedIn = /(?:^|;\s*)pb_member=1/.test(document.cookie);

    function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

    function forms(id) {
        var found = all('form.upvote[data-paper-id]');
        return id === undefined ? found : found.filter(function (f) { return f.getAttribute('data-paper-id') === id; });
    }

    function libraries(id) {
        var found = all('.library[data-paper-id]');
        return id === undefined ? found : found.filter(function (l) { return l.getAttribute('data-paper-id') === id; });
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

    function element(tag, attributes, children) {
        var e = document.createElement(tag);
        Object.keys(attributes || {}).forEach(function (k) { e.setAttribute(k, attributes[k]); });
        (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
        return e;
    }

    // One JSON request with the member's token; a problem's detail becomes the error's message.
    function api(method, url, body) {
        var headers = { 'X-CSRF-TOKEN': csrf, Accept: 'application/json' };
        var init = { method: method, credentials: 'same-origin', headers: headers };
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
        return fetch(url, init).then(function (r) {
            if (r.status === 204) { return {}; }
            return r.json().catch(function () { return {}; }).then(function (json) {
                if (!r.ok) { throw new Error(json.detail || json.title || ('The server answered ' + r.status)); }
                return json;
            });
        });
    }

    function paperApi(id) { return '/api/me/library/papers/' + id; }

    function marksOf(id) { return library.marks[id] || { id: id, saved: false, tags: [], notInterested: false, collections: [] }; }

    function loadState() {
        var ids = [];
        forms().concat(libraries()).forEach(function (f) {
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
                library.tags = state.tags || [];
                library.collections = state.collections || [];
                (state.library || []).forEach(function (m) { library.marks[m.id] = m; });
                libraries().forEach(function (l) { showMarks(marksOf(l.getAttribute('data-paper-id'))); });
                var account = document.querySelector('a[data-account]');
                if (account && state.member) {
                    account.textContent = state.member.handle;
                    account.href = '/users/' + encodeURIComponent(state.member.handle);
                }
                document.documentElement.setAttribute('data-member', state.member ? state.member.handle : '');
            });
    }

    // The buttons say what the member did: "★ Saved · ml", "Not interested · undo", "In 2 collections".
    function showMarks(m) {
        library.marks[m.id] = m;
        libraries(m.id).forEach(function (l) {
            var save = l.querySelector('form.lib-save button');
            save.setAttribute('aria-pressed', m.saved ? 'true' : 'false');
            save.firstElementChild.textContent = m.saved ? '★' : '☆';
            save.querySelector('.label').textContent = m.saved ? 'Saved' + (m.tags.length ? ' · ' + m.tags.join(', ') : '') : 'Save';
            var dismiss = l.querySelector('form.lib-dismiss button');
            dismiss.setAttribute('aria-pressed', m.notInterested ? 'true' : 'false');
            dismiss.querySelector('.label').textContent = m.notInterested ? 'Not interested · undo' : 'Not interested';
            var n = m.collections.length;
            l.querySelector('form.lib-collect .label').textContent = n === 0 ? 'Collection' : 'In ' + n + (n === 1 ? ' collection' : ' collections');
            var card = l.closest('article.paper');
            if (card) { card.classList.toggle('dismissed', m.notInterested); }
            var panel = panelOf(l);
            if (panel) { render(l, panel.getAttribute('data-kind')); }
        });
    }

    function panelOf(l) {
        var next = l.nextElementSibling;
        return next && next.classList.contains('lib-panel') ? next : null;
    }

    function closePanel(l) {
        var panel = panelOf(l);
        if (panel) { panel.remove(); }
        l.querySelector('form.lib-collect button').setAttribute('aria-expanded', 'false');
    }

    function fail(l, error) {
        var panel = panelOf(l) || render(l, 'error');
        var p = panel.querySelector('.lib-error');
        p.textContent = error.message;
        p.hidden = false;
    }

    // The panel under a paper's buttons: its tags (kind "tags") or its collections (kind "collect").
    function render(l, kind) {
        var id = l.getAttribute('data-paper-id');
        var m = marksOf(id);
        var old = panelOf(l);
        var panel = element('div', { 'class': 'lib-panel', 'data-kind': kind });
        if (kind === 'tags') {
            var chips = element('div', { 'class': 'row tags-row' });
            if (m.tags.length === 0) { chips.appendChild(element('span', { 'class': 'muted' }, ['No tags yet.'])); }
            m.tags.forEach(function (t) {
                chips.appendChild(element('span', { 'class': 'tag' }, [t, element('button', { type: 'button', 'class': 'untag', 'data-tag': t, 'aria-label': 'Remove the tag ' + t }, ['×'])]));
            });
            panel.appendChild(chips);
            panel.appendChild(element('form', { 'class': 'row add-tags' }, [
                element('input', { name: 'tags', 'aria-label': 'Add tags', placeholder: 'Add tags: to read, diffusion', autocomplete: 'off', list: 'pb-my-tags', maxlength: '900' }),
                element('button', { type: 'submit' }, ['Add'])
            ]));
            panel.appendChild(element('div', { 'class': 'row' }, [
                element('button', { type: 'button', 'class': 'link unsave' }, ['Remove from library']),
                element('a', { href: '/library' }, ['Your library'])
            ]));
        } else if (kind === 'collect') {
            var inThem = library.collections.filter(function (c) { return m.collections.indexOf(c.id) >= 0; });
            if (inThem.length > 0) {
                var line = element('p', { 'class': 'row in' }, ['In:']);
                inThem.forEach(function (c) { line.appendChild(element('a', { href: c.url }, [c.name])); });
                panel.appendChild(line);
            }
            var others = library.collections.filter(function (c) { return m.collections.indexOf(c.id) < 0; });
            if (others.length > 0) {
                var select = element('select', { name: 'collection', 'aria-label': 'Collection' });
                others.forEach(function (c) { select.appendChild(element('option', { value: String(c.id) }, [c.name + (c['public'] ? ' (public)' : '')])); });
                panel.appendChild(element('form', { 'class': 'row add-item' }, [
                    select,
                    element('input', { name: 'note', 'aria-label': 'Note', placeholder: 'Note (optional)', maxlength: '2000' }),
                    element('button', { type: 'submit' }, ['Add'])
                ]));
            }
            panel.appendChild(element('form', { 'class': 'row new-collection' }, [
                element('input', { name: 'name', 'aria-label': 'New collection', placeholder: 'New collection', maxlength: '80', required: 'required' }),
                element('label', { 'class': 'check' }, [element('input', { type: 'checkbox', name: 'public' }), 'Public']),
                element('button', { type: 'submit' }, [others.length > 0 || inThem.length > 0 ? 'Create and add' : 'Create a collection with it'])
            ]));
        }
        var error = element('p', { 'class': 'lib-error problem', role: 'alert' });
        error.hidden = true;
        panel.appendChild(error);
        if (old) { old.replaceWith(panel); } else { l.after(panel); }
        l.querySelector('form.lib-collect button').setAttribute('aria-expanded', kind === 'collect' ? 'true' : 'false');
        return panel;
    }

    function tagList() {
        var list = document.getElementById('pb-my-tags');
        if (!list) {
            list = element('datalist', { id: 'pb-my-tags' });
            document.body.appendChild(list);
        }
        list.replaceChildren.apply(list, library.tags.map(function (t) { return element('option', { value: t }); }));
    }

    function remember(tags) {
        tags.forEach(function (t) {
            if (!library.tags.some(function (x) { return x.toLowerCase() === t.toLowerCase(); })) { library.tags.push(t); }
        });
        tagList();
    }

    function onLibrarySubmit(form, l) {
        var id = l.getAttribute('data-paper-id');
        var m = marksOf(id);
        var panel = panelOf(l);
        if (form.classList.contains('lib-save')) {
            if (m.saved) {
                if (panel && panel.getAttribute('data-kind') === 'tags') { closePanel(l); } else { render(l, 'tags').querySelector('input').focus(); }
                return null;
            }
            return api('POST', paperApi(id)).then(function (marks) { showMarks(marks); render(l, 'tags').querySelector('input').focus(); });
        }
        if (form.classList.contains('lib-dismiss')) {
            return api(m.notInterested ? 'DELETE' : 'POST', paperApi(id) + '/not-interested').then(function (marks) { closePanel(l); showMarks(marks); });
        }
        if (form.classList.contains('lib-collect')) {
            if (panel && panel.getAttribute('data-kind') === 'collect') { closePanel(l); } else { render(l, 'collect'); }
            return null;
        }
        if (form.classList.contains('add-tags')) {
            var tags = form.querySelector('input').value.split(',').map(function (t) { return t.trim(); }).filter(function (t) { return t; });
            if (tags.length === 0) { return null; }
            return api('POST', paperApi(id), { tags: tags }).then(function (marks) { remember(tags); showMarks(marks); panelOf(l).querySelector('input').focus(); });
        }
        if (form.classList.contains('add-item')) {
            var chosen = library.collections.filter(function (c) { return String(c.id) === form.querySelector('select').value; })[0];
            return addTo(chosen, id, form.querySelector('input[name=note]').value);
        }
        if (form.classList.contains('new-collection')) {
            var name = form.querySelector('input[name=name]').value.trim();
            return api('POST', '/api/collections', { name: name, 'public': form.querySelector('input[name=public]').checked }).then(function (c) {
                library.collections.unshift({ id: c.id, name: c.name, url: c.url, 'public': c['public'] });
                return addTo(c, id, '');
            });
        }
        return null;
    }

    function addTo(collection, id, note) {
        return api('POST', '/api' + collection.url + '/items', { paperId: id, note: note || null }).then(function (answer) {
            var m = marksOf(id);
            if (m.collections.indexOf(answer.collection.id) < 0) { m.collections = m.collections.concat([answer.collection.id]); }
            showMarks(m);
        });
    }

    document.addEventListener('submit', function (e) {
        var form = e.target;
        if (!form.matches || !csrf) { return; } // not ready: the form does the job
        var l = form.closest('.library') || (form.closest('.lib-panel') && form.closest('.lib-panel').previousElementSibling);
        if (l && l.matches('.library[data-paper-id]')) {
            e.preventDefault();
            var done = onLibrarySubmit(form, l);
            if (done) {
                done.catch(function (error) {
                    if (form.closest('.library')) { form.submit(); } else { fail(l, error); } // a button's page says what went wrong
                });
            }
            return;
        }
        if (!form.matches('form.upvote')) { return; }
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

    document.addEventListener('click', function (e) {
        var button = e.target.closest ? e.target.closest('.lib-panel button[type=button]') : null;
        if (!button || !csrf) { return; }
        var l = button.closest('.lib-panel').previousElementSibling;
        var id = l.getAttribute('data-paper-id');
        var done = button.classList.contains('untag')
            ? api('DELETE', paperApi(id) + '/tags/' + encodeURIComponent(button.getAttribute('data-tag')))
            : api('DELETE', paperApi(id));
        done.then(function (marks) {
            if (!marks.saved) { closePanel(l); }
            showMarks(marks);
        }).catch(function (error) { fail(l, error); });
    });

    if (signedIn) { loadState().then(tagList); }
})();
