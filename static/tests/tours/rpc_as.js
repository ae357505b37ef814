import {session} from "@web/session";

/**
 * What another client sends meanwhile (a dialer, the agent's own browser):
 * JSON-RPC ``execute_kw`` with its login, whose password is the login in
 * the tests.
 */
export async function rpcAs(login, model, method, args, kwargs = {}) {
    const call = async (service, serviceMethod, serviceArgs) => {
        const response = await fetch("/jsonrpc", {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({
                jsonrpc: "2.0",
                method: "call",
                params: {service, method: serviceMethod, args: serviceArgs},
            }),
        });
        const answer = await response.json();
        if (answer.error) {
            throw new Error(answer.error.data.message);
        }
        return answer.result;
    };
    const uid = await call("common", "login", [session.db, login, login]);
    return call("object", "execute_kw", [
        session.db,
        uid,
        login,
        model,
        method,
        args,
        kwargs,
    ]);
}
