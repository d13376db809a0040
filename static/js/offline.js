// The village representative's phone without signal (issue 14). No inline scripts: the CSP
// forbids them; the texts come translated from the page (#offline-strings, rendered by the
// offline_strings template tag).
//
// - Registers the service worker (static/js/sw.js) that keeps her pages for when there is no
//   signal.
// - A visit (or a follow-up) saved without signal waits in IndexedDB under a UUID made here, and
//   is posted to the REST API (session cookie + CSRF token) when the signal returns, when the app
//   opens and every minute. The API stores a repeated upload of one UUID once.
// - A record the server refuses stays with the server's message until she fixes or discards it.
// - A sensitive record (a domestic-violence need) is kept encrypted (AES-GCM, with a key the page
//   cannot export) until it is sent, and only its count is shown.
// - Signing out asks first when records are left, then empties the caches and the queue.
(() => {
  "use strict";

  const DB_NAME = "federation-offline";
  const stringsNode = document.getElementById("offline-strings");
  const T = stringsNode ? JSON.parse(stringsNode.textContent) : null;
  const UPLOAD_EVERY_MS = 60 * 1000;
  // An uploaded record is listed as 已上传 for a day, without its text.
  const KEEP_UPLOADED_MS = 24 * 3600 * 1000;

  // --- IndexedDB, in a few promises ------------------------------------------------------------
  let dbPromise = null;

  function openDb(version) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, version);
      request.onupgradeneeded = () => {
        const names = request.result.objectStoreNames;
        if (!names.contains("queue")) request.result.createObjectStore("queue", { keyPath: "clientId" });
        if (!names.contains("keys")) request.result.createObjectStore("keys");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function db() {
    if (!dbPromise) {
      dbPromise = openDb().then((database) => {
        if (database.objectStoreNames.contains("queue") && database.objectStoreNames.contains("keys")) {
          return database;
        }
        // A database of this name without our stores (made by hand, or half deleted): add them.
        const version = database.version + 1;
        database.close();
        return openDb(version);
      });
    }
    return dbPromise;
  }

  async function withStore(name, mode, work) {
    const database = await db();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction(name, mode);
      const request = work(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const queue = {
    all: async () =>
      (await withStore("queue", "readonly", (store) => store.getAll())).filter(
        (item) => item.owner === T.user,
      ),
    get: (clientId) => withStore("queue", "readonly", (store) => store.get(clientId)),
    put: (item) => withStore("queue", "readwrite", (store) => store.put(item)),
    remove: (clientId) => withStore("queue", "readwrite", (store) => store.delete(clientId)),
  };

  // --- Sensitive records: encrypted while they wait ----------------------------------------------
  async function queueKey() {
    let key = await withStore("keys", "readonly", (store) => store.get("queue"));
    if (!key) {
      key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
        "encrypt",
        "decrypt",
      ]);
      await withStore("keys", "readwrite", (store) => store.put(key, "queue"));
    }
    return key;
  }

  async function seal(payload) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(payload));
    const cipher = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await queueKey(), plain);
    return { iv, cipher };
  }

  async function payloadOf(item) {
    if (!item.sealed) return item.payload;
    const { iv, cipher } = item.sealed;
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await queueKey(), cipher);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function format(text, count) {
    return text.replace("%(count)s", String(count));
  }

  // --- The queue ---------------------------------------------------------------------------------
  async function enqueue({ clientId, kind, url, label, sensitive, payload, fixUrl }) {
    const item = {
      clientId,
      owner: T.user,
      kind,
      url,
      label,
      fixUrl,
      sensitive,
      status: "pending",
      message: "",
      createdAt: Date.now(),
    };
    if (sensitive) item.sealed = await seal(payload);
    else item.payload = payload;
    await queue.put(item);
    await render();
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Every message of a DRF error body ({"field": ["…"], "needs_raised": [{"…": ["…"]}]}).
  function messagesOf(body) {
    if (typeof body === "string") return [body];
    if (Array.isArray(body)) return body.flatMap(messagesOf);
    if (body && typeof body === "object") return Object.values(body).flatMap(messagesOf);
    return [];
  }

  async function refusal(response) {
    try {
      const messages = messagesOf(await response.json());
      if (messages.length) return messages.join("；");
    } catch (error) {
      // Not JSON: the status says it.
    }
    return `${response.status} ${response.statusText}`;
  }

  let tries = 0;

  // One upload; answers whether the next one is worth trying now.
  async function upload(item) {
    const payload = await payloadOf(item);
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(payload),
      });
    } catch (error) {
      return false; // no signal after all
    }
    if (response.ok) {
      // The server has it: the text leaves the phone, a line saying 已上传 stays for a while.
      await queue.put({
        clientId: item.clientId,
        owner: item.owner,
        kind: item.kind,
        label: item.label,
        sensitive: item.sensitive,
        status: "uploaded",
        createdAt: item.createdAt,
        uploadedAt: Date.now(),
      });
      return true;
    }
    if (response.status === 401 || response.status === 403) {
      showNotice(T.signInAgain);
      return false;
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      item.status = "refused";
      item.message = await refusal(response);
      await queue.put(item);
      return true;
    }
    return false; // the server is in trouble: later
  }

  let uploading = false;

  async function uploadAll() {
    if (uploading || !navigator.onLine) return;
    uploading = true;
    try {
      const items = (await queue.all()).sort((a, b) => a.createdAt - b.createdAt);
      for (const item of items) {
        if (item.status !== "pending") continue;
        const goOn = await upload(item);
        // How many uploads have had their answer (or none): a state a test can wait for.
        tries += 1;
        if (section) section.dataset.uploadTries = String(tries);
        if (!goOn) break;
      }
    } finally {
      uploading = false;
      await render();
    }
  }

  // --- What she sees -----------------------------------------------------------------------------
  const section = document.getElementById("offline-queue");
  let notice = "";

  function showNotice(text) {
    notice = text;
    const node = section && section.querySelector("[data-testid=offline-notice]");
    if (node) {
      node.textContent = text;
      node.hidden = !text;
      section.hidden = false;
    }
  }

  function button(text, className, action) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = `btn btn-sm ${className}`;
    node.textContent = text;
    node.addEventListener("click", action);
    return node;
  }

  function itemLine(item) {
    const line = document.createElement("li");
    line.className = "list-group-item px-0";
    line.dataset.testid = "queue-item";
    line.dataset.status = item.status;
    const title = document.createElement("div");
    title.className = "d-flex justify-content-between gap-2";
    const label = document.createElement("span");
    label.textContent = `${item.kind === "visit" ? T.visit : T.followUp} · ${item.label}`;
    const state = document.createElement("span");
    state.dataset.testid = "queue-item-status";
    const states = { pending: T.waiting, uploaded: T.uploaded, refused: T.refused };
    state.textContent = states[item.status];
    state.className = `badge text-bg-${{ pending: "warning", uploaded: "success", refused: "danger" }[item.status]}`;
    title.append(label, state);
    line.append(title);
    if (item.status === "refused") {
      const message = document.createElement("div");
      message.className = "text-danger";
      message.dataset.testid = "queue-item-message";
      message.textContent = item.message;
      const actions = document.createElement("div");
      actions.className = "d-flex gap-2 mt-1";
      actions.append(
        button(T.fix, "btn-outline-primary", () => {
          window.location.assign(`${item.fixUrl}?fix=${encodeURIComponent(item.clientId)}`);
        }),
        button(T.discard, "btn-outline-secondary", async () => {
          if (!window.confirm(T.confirmDiscard)) return;
          await queue.remove(item.clientId);
          await render();
        }),
      );
      line.append(message, actions);
    }
    return line;
  }

  async function render() {
    if (!section || !T) return;
    const now = Date.now();
    let items = (await queue.all()).sort((a, b) => a.createdAt - b.createdAt);
    for (const item of items) {
      if (item.status === "uploaded" && now - item.uploadedAt > KEEP_UPLOADED_MS) {
        await queue.remove(item.clientId);
      }
    }
    items = items.filter((item) => item.status !== "uploaded" || now - item.uploadedAt <= KEEP_UPLOADED_MS);
    const waiting = items.filter((item) => item.status === "pending");
    const sensitive = waiting.filter((item) => item.sensitive);
    const badge = section.querySelector("[data-testid=upload-badge]");
    badge.textContent = format(T.pending, waiting.length);
    badge.hidden = waiting.length === 0;
    const sensitiveBadge = section.querySelector("[data-testid=sensitive-badge]");
    sensitiveBadge.textContent = format(T.pendingSensitive, sensitive.length);
    sensitiveBadge.hidden = sensitive.length === 0;
    const list = section.querySelector("[data-testid=queue-items]");
    // A sensitive record waiting is only counted, never listed.
    list.replaceChildren(
      ...items.filter((item) => !(item.sensitive && item.status === "pending")).map(itemLine),
    );
    section.hidden = items.length === 0 && !notice;
  }

  // --- The visit form ----------------------------------------------------------------------------
  function visitPayload(form) {
    const data = new FormData(form);
    const contacts = data.getAll("contacts").map(Number);
    const payload = {
      visited_on: data.get("visited_on"),
      mode: data.get("mode"),
      contacts,
      summary: (data.get("summary") || "").trim(),
      client_id: data.get("client_id"),
    };
    const category = data.get("need_category");
    if (category) {
      payload.needs_raised = [
        { contact: contacts[0], category, description: (data.get("need_description") || "").trim() },
      ];
    }
    return payload;
  }

  function localProblem(form, payload) {
    const problems = form.dataset;
    if (!payload.contacts.length) return problems.needHousehold;
    if (!payload.summary) return problems.needSummary;
    if (payload.needs_raised && !payload.needs_raised[0].description) return problems.needNeed;
    return "";
  }

  async function fillVisitForm(form, clientId) {
    const item = await queue.get(clientId);
    if (!item || item.owner !== T.user || item.kind !== "visit" || item.status === "uploaded") {
      return;
    }
    const payload = await payloadOf(item);
    form.querySelectorAll("input[name=contacts]").forEach((box) => {
      box.checked = payload.contacts.includes(Number(box.value));
    });
    form.elements.visited_on.value = payload.visited_on;
    form.querySelectorAll("input[name=mode]").forEach((radio) => {
      radio.checked = radio.value === payload.mode;
    });
    form.elements.summary.value = payload.summary;
    const need = (payload.needs_raised || [])[0];
    form.elements.need_category.value = need ? need.category : "";
    form.elements.need_description.value = need ? need.description : "";
    form.elements.client_id.value = item.clientId;
    if (item.message) showNotice(item.message);
  }

  async function saveVisitOnPhone(form, payload) {
    const needs = payload.needs_raised || [];
    await enqueue({
      clientId: payload.client_id,
      kind: "visit",
      url: T.visitsApi,
      label: payload.visited_on,
      fixUrl: T.visitForm,
      sensitive: needs.some((need) => T.sensitiveCategories.includes(need.category)),
      payload,
    });
    form.reset();
    freshDate(form);
    form.elements.client_id.value = newClientId();
    window.history.replaceState(null, "", window.location.pathname);
    showNotice(T.savedOnPhone);
  }

  async function submitVisit(form) {
    const payload = visitPayload(form);
    const problem = localProblem(form, payload);
    if (problem) {
      showNotice(problem);
      return;
    }
    if (navigator.onLine) {
      let response = null;
      try {
        response = await fetch(window.location.href, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
      } catch (error) {
        response = null; // the signal dropped: on the phone below
      }
      if (response && response.ok) {
        const type = response.headers.get("Content-Type") || "";
        if (type.includes("application/json")) {
          const stored = await queue.get(payload.client_id);
          if (stored) await queue.remove(payload.client_id);
          window.location.assign((await response.json()).url);
          return;
        }
        if (!response.redirected) {
          // The form's own errors: let the page show them.
          form.submit();
          return;
        }
      }
      // Signed out meanwhile, or the copy of the form was too old for its CSRF token: the API
      // takes it later with the session's current token.
    }
    await saveVisitOnPhone(form, payload);
  }

  function today() {
    const now = new Date();
    const pad = (number) => String(number).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  // A copy of the form kept from another day offers that day: offer today instead.
  function freshDate(form) {
    const field = form.elements.visited_on;
    if (field.value === form.dataset.today) field.value = today();
  }

  function setUpVisitForm(form) {
    form.elements.client_id.value = newClientId();
    freshDate(form);
    const fix = new URLSearchParams(window.location.search).get("fix");
    if (fix) fillVisitForm(form, fix);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitVisit(form);
    });
  }

  // --- A follow-up on a case page left open when the signal went ---------------------------------
  function setUpFollowUp(form) {
    form.addEventListener("submit", async (event) => {
      const action = event.submitter && event.submitter.value;
      if (navigator.onLine || action !== "follow-up") return;
      event.preventDefault();
      const note = form.elements.note.value.trim();
      if (!note) return;
      await enqueue({
        clientId: newClientId(),
        kind: "followUp",
        url: `${T.casesApi}${form.dataset.caseId}/follow-up/`,
        label: new Date().toISOString().slice(0, 10),
        fixUrl: window.location.pathname,
        sensitive: form.dataset.sensitive === "true",
        payload: { note },
      });
      form.elements.note.value = "";
      showNotice(T.savedOnPhone);
    });
  }

  // --- Signing out empties the phone -------------------------------------------------------------
  async function clearPhone() {
    if ("caches" in window) {
      for (const name of await caches.keys()) await caches.delete(name);
    }
    if (dbPromise) (await dbPromise).close();
    dbPromise = null;
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        await registration.unregister();
      }
    }
  }

  function setUpSignOut(form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (T) {
        const unsent = (await queue.all()).filter((item) => item.status !== "uploaded");
        if (unsent.length && !window.confirm(format(T.confirmSignOut, unsent.length))) return;
      }
      try {
        await clearPhone();
      } finally {
        form.submit();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-sign-out]").forEach(setUpSignOut);
    if (!T || !window.indexedDB) return;
    if (navigator.serviceWorker && window.isSecureContext) {
      navigator.serviceWorker.register(T.serviceWorker, { scope: "/" }).catch(() => null);
    }
    const visitForm = document.querySelector("form[data-visit-form]");
    if (visitForm) setUpVisitForm(visitForm);
    document.querySelectorAll("form[data-case-form]").forEach(setUpFollowUp);
    render().then(uploadAll);
    window.addEventListener("online", uploadAll);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") uploadAll();
    });
    window.setInterval(uploadAll, UPLOAD_EVERY_MS);
  });
})();
