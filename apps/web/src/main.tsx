import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ServicesProvider } from "./app/context.js";
import { createServices } from "./app/services.js";
import { router } from "./router.js";
import { TRPCProvider } from "./trpc.js";
import "./styles.css";

const services = createServices();
const root = document.getElementById("root");
if (!root) throw new Error("no #root element");

createRoot(root).render(
  <StrictMode>
    <ServicesProvider services={services}>
      <QueryClientProvider client={services.queryClient}>
        <TRPCProvider trpcClient={services.api} queryClient={services.queryClient}>
          <RouterProvider router={router} />
        </TRPCProvider>
      </QueryClientProvider>
    </ServicesProvider>
  </StrictMode>,
);
